import { describe, expect, it } from 'vitest'
import { parseFeedCatalog } from '../../src/domain/feed-definition.ts'
import { LOCALES } from '../../src/domain/locale.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { appOver, sampleApp, silentLogger } from '../support/app.ts'
import { feedDefinition } from '../support/feed-definitions.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { expectValidNinjs } from '../support/ninjs-schema.ts'
import { loadSamples, loadStoredSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

interface Item {
  uri: string
  representationType?: string
  pubStatus: string
  bodies?: unknown[]
  headlines: { value: string }[]
  descriptions?: { value: string }[]
  associations?: { language: string }[]
}

const feed = feedDefinition

/**
 * A catalogue like one a FEEDS_DIR may hold: the `sco` stories in a full feed of every locale but
 * Kazakh, the `economy` story only in an excerpt feed, the `education` story only in a partners-only
 * feed.
 */
const CATALOG = parseFeedCatalog({
  'world.json': feed(
    'world',
    ['sco'],
    'full',
    LOCALES.filter((l) => l !== 'kk'),
  ),
  'digest.json': feed('digest', ['economy'], 'excerpt'),
  'desk.json': feed('desk', ['education'], 'none'),
})
const ECONOMY = 'qingdao-china-europe-rail'
const EDUCATION = 'qingdao-sco-institute'

async function catalogApp() {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  return appOver(store, {}, silentLogger, {}, CATALOG)
}

async function itemAt(app: { request: (path: string) => Response | Promise<Response> }, path: string) {
  const res = await app.request(path)
  expect(res.status, path).toBe(200)
  return (await res.json()) as Item
}

const fullText = (locale: string, id: string) =>
  loadStoredSamples().find((a) => a.locale === locale && a.id === id)!.contentHtml!

describe('ninjs as the public is entitled to read it', () => {
  it('lists an excerpt feed’s stories as partial items with no body, valid against the IPTC schema', async () => {
    const { app } = await sampleApp()
    for (const locale of ['ru', 'zh', 'uz-cyrl']) {
      const res = await app.request(`/${locale}/summaries.ninjs.json`)
      expect(res.status).toBe(200)
      const text = await res.text()
      const { items } = JSON.parse(text) as { items: Item[] }
      expect(items.length).toBeGreaterThan(0)
      for (const item of items) {
        expectValidNinjs(item, `${locale}/summaries`)
        expect(item.representationType).toBe('partial')
        expect(item).not.toHaveProperty('bodies')
        expect(item.headlines[0]!.value).not.toBe('')
      }
      // Not a word of any story's full text, as the feed's JSON Feed carries none.
      const paragraph = fullText(locale, 'sco-roadshow-overview').match(/<p>([^<]{20,})/)![1]!
      expect(text).not.toContain(paragraph.slice(0, 20))
      const json = await (await app.request(`/${locale}/summaries.json`)).text()
      expect(json).not.toContain('content_html')
    }
  })

  it('keeps the full lists and items of the default catalogue full', async () => {
    const { app } = await sampleApp()
    const list = (await (await app.request('/ru/latest.ninjs.json')).json()) as { items: Item[] }
    expect(list.items.map((i) => i.representationType)).toEqual(list.items.map(() => 'full'))
    for (const id of [ECONOMY, EDUCATION, 'sco-roadshow-overview']) {
      const item = await itemAt(app, `/kk/items/${id}.ninjs.json`)
      expect(item.representationType).toBe('full')
      expect(item.bodies).toHaveLength(2)
    }
  })

  it('gives a story that only an excerpt feed shows as a partial item, and a full story in full', async () => {
    const app = await catalogApp()
    const partial = await itemAt(app, `/ru/items/${ECONOMY}.ninjs.json`)
    expectValidNinjs(partial, ECONOMY)
    expect(partial.representationType).toBe('partial')
    expect(partial).not.toHaveProperty('bodies')
    expect(partial.descriptions?.[0]?.value).toEqual(expect.any(String))
    expect(JSON.stringify(partial)).not.toContain(fullText('ru', ECONOMY).slice(3, 30))
    const full = await itemAt(app, '/ru/items/sco-roadshow-overview.ninjs.json')
    expect(full.representationType).toBe('full')
    expect(full.bodies).toHaveLength(2)
    // The partial item and the full one never share an ETag (nor does the excerpt list).
    const etags = await Promise.all(
      [`/ru/items/${ECONOMY}.ninjs.json`, '/ru/items/sco-roadshow-overview.ninjs.json'].map(async (path) =>
        (await app.request(path)).headers.get('etag'),
      ),
    )
    expect(new Set(etags).size).toBe(2)
    const digest = (await (await app.request('/ru/digest.ninjs.json')).json()) as { items: Item[] }
    expect(digest.items.map((i) => i.representationType)).toEqual(['partial'])
  })

  it('answers 404 for a story only a partners-only feed carries, as for an unknown id', async () => {
    const app = await catalogApp()
    for (const locale of ['ru', 'zh', 'kk-latn']) {
      const res = await app.request(`/${locale}/items/${EDUCATION}.ninjs.json`)
      expect(res.status, locale).toBe(404)
      expect(((await res.json()) as { code: string }).code).toBe('ITEM_NOT_FOUND')
    }
    expect((await app.request('/ru/desk.ninjs.json')).status).toBe(404)
  })

  it('answers 404 in a locale no public feed carrying the story has, and links no such translation', async () => {
    const app = await catalogApp()
    expect((await app.request('/kk/items/sco-roadshow-overview.ninjs.json')).status).toBe(404)
    const ru = await itemAt(app, '/ru/items/sco-roadshow-overview.ninjs.json')
    const languages = ru.associations!.map((a) => a.language)
    expect(languages).toContain('kk-Latn')
    expect(languages).not.toContain('kk')
  })

  it('answers a pulled story as canceled only where the public could read it', async () => {
    const app = await catalogApp()
    const retract = [ECONOMY, EDUCATION].map((id) => ({ id, locale: 'ru' }))
    expect((await postRepublish(app, { retract })).status).toBe(200)
    const canceled = await itemAt(app, `/ru/items/${ECONOMY}.ninjs.json`)
    expectValidNinjs(canceled, 'canceled')
    expect(canceled.pubStatus).toBe('canceled')
    expect((await app.request(`/ru/items/${EDUCATION}.ninjs.json`)).status).toBe(404)
  })
})

describe('the public change cursor in such a catalogue', () => {
  it('names only the stories a public feed of the locale carries', async () => {
    const app = await catalogApp()
    const ids = (res: { changes: { id: string; type: string }[] }) =>
      res.changes.map((c) => `${c.type} ${c.id}`)
    const read = async (path: string) =>
      (await (await app.request(path)).json()) as {
        changes: { id: string; type: string }[]
        next_cursor: string
      }
    const start = await read('/ru/changes')
    const samples = loadSamples()
    // A few seconds back: a retraction signed in the same second (signatures count whole seconds)
    // must not find the version newer than itself.
    const updatedAt = new Date(Date.now() - 5000).toISOString()
    const upsert = [ECONOMY, EDUCATION].map((id) => ({
      ...samples.find((a) => a.id === id && a.locale === 'ru')!,
      updatedAt,
    }))
    expect((await postRepublish(app, { upsert })).status).toBe(200)
    const updated = await read(`/ru/changes?cursor=${start.next_cursor}`)
    // The partners-only story is none of the public's business: not even its id.
    expect(ids(updated)).toEqual([`updated ${ECONOMY}`])
    const retract = [ECONOMY, EDUCATION].map((id) => ({ id, locale: 'ru' }))
    expect((await postRepublish(app, { retract })).status).toBe(200)
    const retracted = await read(`/ru/changes?cursor=${updated.next_cursor}`)
    expect(ids(retracted)).toEqual([`retracted ${ECONOMY}`])
  })
})
