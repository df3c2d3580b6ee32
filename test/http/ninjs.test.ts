import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { LANGUAGE_TAG, LOCALES } from '../../src/domain/locale.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { appOver, sampleApp } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { expectValidNinjs as expectValid } from '../support/ninjs-schema.ts'
import { loadCatalog, loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

const storyIds = [...new Set(loadSamples().map((a) => a.id))]

describe('IPTC ninjs 3.1', () => {
  it('serves every story of every locale (derived scripts too) as an item valid against the IPTC schema', async () => {
    const { app } = await sampleApp()
    for (const locale of LOCALES) {
      for (const id of storyIds) {
        const res = await app.request(`/${locale}/items/${id}.ninjs.json`)
        expect(res.status, `${locale}/${id}`).toBe(200)
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
        const item = (await res.json()) as Record<string, unknown>
        expectValid(item, `${locale}/${id}`)
        expect(item).toMatchObject({
          uri: `tag:silkfeed.dev,2026:article/${id}/${locale}`,
          language: LANGUAGE_TAG[locale],
          pubStatus: 'usable',
          representationType: 'full',
          altIds: [{ role: 'story', value: id }],
        })
        expect(item.version).toEqual(expect.any(String))
        const bodies = item.bodies as { contentType: string; value: string }[]
        expect(bodies.map((b) => b.contentType)).toEqual(['text/html', 'text/plain'])
        expect(bodies[1]!.value).not.toMatch(/<\/?p>|&amp;/)
        // The six other locales of the story, each linking its own ninjs item.
        const associations = item.associations as { rel: string; language: string }[]
        expect(associations.map((a) => a.rel)).toEqual(Array(LOCALES.length - 1).fill('translation'))
        expect(associations.map((a) => a.language)).not.toContain(LANGUAGE_TAG[locale])
      }
    }
  })

  it('tags derived variants with their script (uz-Cyrl, kk-Latn, zh-Hant-TW)', async () => {
    const { app } = await sampleApp()
    for (const [locale, tag] of [
      ['uz-cyrl', 'uz-Cyrl'],
      ['kk-latn', 'kk-Latn'],
      ['zh-hant', 'zh-Hant-TW'],
    ]) {
      const item = (await (
        await app.request(`/${locale}/items/sco-roadshow-overview.ninjs.json`)
      ).json()) as {
        language: string
      }
      expect(item.language).toBe(tag)
    }
  })

  it('lists each feed’s window as ninjs items in the documented envelope, every item valid', async () => {
    const { app } = await sampleApp()
    for (const definition of loadCatalog().all) {
      for (const locale of definition.locales) {
        const res = await app.request(`/${locale}/${definition.id}.ninjs.json`)
        // A partners-only feed has no public list, as it has no public feed.
        if (definition.public === 'none') {
          expect(res.status).toBe(404)
          expect(((await res.json()) as { code: string }).code).toBe('FEED_PARTNERS_ONLY')
          continue
        }
        expect(res.status).toBe(200)
        const doc = (await res.json()) as { schema: string; self: string; language: string; items: unknown[] }
        expect(doc.schema).toBe('http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json')
        expect(doc.self).toBe(`https://feeds.silkfeed.test/${locale}/${definition.id}.ninjs.json`)
        expect(doc.language).toBe(LANGUAGE_TAG[locale])
        const json = (await (await app.request(`/${locale}/${definition.id}.json`)).json()) as {
          items: { id: string }[]
        }
        expect(doc.items.map((i) => (i as { uri: string }).uri)).toEqual(json.items.map((i) => i.id))
        for (const item of doc.items) expectValid(item, `${locale}/${definition.id}`)
      }
    }
  })

  it('answers like the feeds: strong ETag, 304 on If-None-Match, gzip prepared once', async () => {
    const { app } = await sampleApp()
    for (const path of ['/ru/sco.ninjs.json', '/kk/items/sco-roadshow-overview.ninjs.json']) {
      const first = await app.request(path, { headers: { 'accept-encoding': 'gzip' } })
      expect(first.headers.get('content-encoding')).toBe('gzip')
      const etag = first.headers.get('etag')!
      expect(etag).toMatch(/^"/)
      expect(JSON.parse(gunzipSync(Buffer.from(await first.arrayBuffer())).toString('utf8'))).toBeTruthy()
      const again = await app.request(path, {
        headers: { 'accept-encoding': 'gzip', 'if-none-match': `W/${etag}` },
      })
      expect(again.status).toBe(304)
      expect(again.headers.get('content-type')).toBeNull()
      expect(again.headers.get('cache-control')).toBe(first.headers.get('cache-control'))
    }
  })

  it('answers a hot item and list again without asking storage', async () => {
    const store = new MemoryObjectStore()
    await storeArticles(store, loadSamples())
    const now = Date.now()
    const app = appOver(store, { now: () => now })
    const paths = ['/ru/items/sco-roadshow-overview.ninjs.json', '/ru/sco.ninjs.json']
    for (const path of paths) expect((await app.request(path)).status).toBe(200)
    const before = store.requests
    for (const path of paths) expect((await app.request(path)).status).toBe(200)
    expect(store.requests - before).toBe(0)
  })

  it('answers an unknown id, locale or feed with a 404 problem that says where ids are listed', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/ru/items/no-such-story.ninjs.json')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    const problem = (await res.json()) as { code: string; detail: string }
    expect(problem.code).toBe('ITEM_NOT_FOUND')
    expect(problem.detail).toContain('/ru/changes')
    expect((await app.request('/xx/items/sco-roadshow-overview.ninjs.json')).status).toBe(404)
    expect((await app.request('/ru/nope.ninjs.json')).status).toBe(404)
    // An id no story may have (a path in it, say) is a 400 saying what ids are (near-miss.test.ts).
    expect((await app.request('/ru/items/..%2Fx.ninjs.json')).status).toBe(400)
  })

  it('serves a pulled story as a canceled item with the same uri, and drops it from the list', async () => {
    const { app } = await sampleApp()
    const res = await postRepublish(app, { retract: [{ id: 'sco-moscow-presentation', locale: 'ru' }] })
    expect(res.status).toBe(200)
    const item = (await (await app.request('/ru/items/sco-moscow-presentation.ninjs.json')).json()) as object
    expectValid(item, 'canceled')
    expect(item).toMatchObject({
      uri: 'tag:silkfeed.dev,2026:article/sco-moscow-presentation/ru',
      pubStatus: 'canceled',
    })
    expect(item).not.toHaveProperty('bodies')
    const list = (await (await app.request('/ru/sco.ninjs.json')).json()) as { items: { uri: string }[] }
    expect(list.items.map((i) => i.uri)).not.toContain(
      'tag:silkfeed.dev,2026:article/sco-moscow-presentation/ru',
    )
  })
})

describe('a ninjs item’s rights', () => {
  it('carries the record’s holder, notice, usage terms and licence, and the newsroom’s line without them', async () => {
    const { app } = await sampleApp()
    const base = loadSamples().find((a) => a.id === 'sco-moscow-presentation' && a.locale === 'ru')!
    const rights = {
      copyrightHolder: 'Синьхуа',
      usageTerms: 'Только для партнёров; без изменений.',
      licenseUrl: 'https://news.silkfeed.dev/licence',
    }
    const sent = { ...base, id: 'ninjs-rights', url: `${base.url}-rights`, rights }
    expect((await postRepublish(app, { upsert: [sent] })).status).toBe(200)
    const item = (await (await app.request('/ru/items/ninjs-rights.ninjs.json')).json()) as object
    expectValid(item, 'with rights')
    // The notice of a holder without one is the feeds' "© holder", never the newsroom's notice.
    expect(item).toMatchObject({
      copyrightHolder: 'Синьхуа',
      copyrightNotice: '© Синьхуа',
      usageTerms: 'Только для партнёров; без изменений.',
      rightsInfo: { linkedRights: 'https://news.silkfeed.dev/licence' },
    })
    const plain = (await (await app.request('/ru/items/sco-moscow-presentation.ninjs.json')).json()) as {
      copyrightHolder: string
      copyrightNotice: string
    }
    expect(plain.copyrightNotice).toContain(plain.copyrightHolder)
    expect(plain).not.toHaveProperty('usageTerms')
    expect(plain).not.toHaveProperty('rightsInfo')
  })
})

describe('a ninjs item under embargo', () => {
  it('answers 404 until its release and the item from that instant on, even if asked for meanwhile', async () => {
    const store = new MemoryObjectStore()
    await storeArticles(store, loadSamples())
    let clock = Date.now()
    const app = appOver(store, { now: () => clock })
    const until = clock + 10_000
    const embargoed = {
      id: 'ninjs-embargoed',
      locale: 'ru',
      title: 'Под эмбарго: новость ШОС',
      url: 'https://news.silkfeed.dev/ru/2026/12/05/ninjs-embargoed',
      publishedAt: new Date(clock - 3_600_000).toISOString(),
      sections: ['sco'],
      embargoUntil: new Date(until).toISOString(),
    }
    expect((await postRepublish(app, { upsert: [embargoed] }, { t: clock / 1000 })).status).toBe(200)
    const path = '/ru/items/ninjs-embargoed.ninjs.json'
    const uri = 'tag:silkfeed.dev,2026:article/ninjs-embargoed/ru'
    const listed = async () => {
      const res = await app.request('/ru/sco.ninjs.json')
      expect(res.status).toBe(200)
      return ((await res.json()) as { items: { uri: string }[] }).items.map((i) => i.uri)
    }
    expect((await app.request(path)).status).toBe(404)
    expect(await listed()).not.toContain(uri)
    // Asked again just before the release: still nothing, remembered for the item's freshness.
    clock = until - 500
    expect((await app.request(path)).status).toBe(404)
    expect(await listed()).not.toContain(uri)
    // At the release instant, within that freshness, and later: the item and the list have it.
    for (const at of [until, until + 5_000, until + 30_000, until + 75_000]) {
      clock = at
      const res = await app.request(path)
      expect(res.status, `at +${at - until} ms`).toBe(200)
      expect(((await res.json()) as { uri: string; pubStatus: string }).uri).toBe(uri)
      expect(await listed()).toContain(uri)
    }
  })
})
