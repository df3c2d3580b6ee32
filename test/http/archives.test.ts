import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { catalogWithLimit, loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

const BASE = 'https://feeds.silkfeed.test'
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['link', 'entry', 'item', 'atom:link', 'at:deleted-entry'].includes(name),
})

type Link = { rel: string; href: string }

/** The samples with every feed's window cut to 2 stories: `latest` archives 4 of its 6, in 2022-10 and 2022-11. */
async function archivedApp() {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  // freshMs 0: every request lists the stories again, so a change shows at once.
  return appOver(store, { freshMs: 0 }, undefined, {}, catalogWithLimit(2))
}

async function atom(app: Awaited<ReturnType<typeof archivedApp>>, path: string) {
  const res = await app.request(path)
  expect(res.status, path).toBe(200)
  const feed = xml.parse(await res.text()).feed as {
    link: Link[]
    entry?: { id: string; title: { '#text': string } }[]
    'fh:archive'?: unknown
    'at:deleted-entry'?: { ref: string }[]
  }
  const rel = (name: string) => feed.link.find((l) => l.rel === name)?.href
  return { feed, rel, ids: (feed.entry ?? []).map((e) => e.id), etag: res.headers.get('etag') }
}

const id = (story: string, locale = 'ru') => `tag:silkfeed.dev,2026:article/${story}/${locale}`

describe('RFC 5005 archives', () => {
  it('links the current feed to its newest archive and each archive to the next older, every story once', async () => {
    const app = await archivedApp()
    const current = await atom(app, '/ru/latest.atom')
    expect(current.feed['fh:archive']).toBeUndefined()
    expect(current.rel('prev-archive')).toBe(`${BASE}/ru/latest/archive/2022-11.atom`)
    const november = await atom(app, '/ru/latest/archive/2022-11.atom')
    expect(november.feed).toHaveProperty('fh:archive')
    expect(november.rel('self')).toBe(`${BASE}/ru/latest/archive/2022-11.atom`)
    expect(november.rel('current')).toBe(`${BASE}/ru/latest.atom`)
    expect(november.rel('prev-archive')).toBe(`${BASE}/ru/latest/archive/2022-10.atom`)
    expect(november.rel('next-archive')).toBeUndefined()
    const october = await atom(app, '/ru/latest/archive/2022-10.atom')
    expect(october.rel('prev-archive')).toBeUndefined()
    expect(october.rel('next-archive')).toBe(`${BASE}/ru/latest/archive/2022-11.atom`)
    const all = [...current.ids, ...november.ids, ...october.ids]
    expect(all.sort()).toEqual([...new Set(loadSamples().map((a) => id(a.id)))].sort())
    expect(october.ids).toEqual([id('sco-moscow-presentation')])
  })

  it('pages JSON Feed with next_url and RSS with atom:link, in every locale', async () => {
    const app = await archivedApp()
    for (const locale of ['zh', 'uz-cyrl', 'kk-latn']) {
      const current = (await (await app.request(`/${locale}/sco.json`)).json()) as { next_url?: string }
      expect(current.next_url).toBe(`${BASE}/${locale}/sco/archive/2022-11.json`)
      const page = (await (await app.request(`/${locale}/sco/archive/2022-11.json`)).json()) as {
        next_url?: string
        items: { id: string }[]
        _silkfeed: { archive: { current: string } }
      }
      expect(page.next_url).toBe(`${BASE}/${locale}/sco/archive/2022-10.json`)
      expect(page._silkfeed.archive.current).toBe(`${BASE}/${locale}/sco.json`)
      expect(page.items.map((i) => i.id)).toEqual([id('sco-almaty-presentation', locale)])
      const rssRes = await app.request(`/${locale}/sco/archive/2022-10.rss`)
      expect(rssRes.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8')
      const channel = xml.parse(await rssRes.text()).rss.channel as {
        'atom:link': Link[]
        'fh:archive': unknown
      }
      expect(channel).toHaveProperty('fh:archive')
      expect(channel['atom:link'].find((l) => l.rel === 'next-archive')?.href).toBe(
        `${BASE}/${locale}/sco/archive/2022-11.rss`,
      )
    }
  })

  it('serves archives like feeds: ETag, 304, HEAD, gzip, a day of max-age with revalidation', async () => {
    const app = await archivedApp()
    const path = '/kk/latest/archive/2022-11.atom'
    const first = await app.request(path, { headers: { 'accept-encoding': 'gzip' } })
    expect(first.headers.get('content-encoding')).toBe('gzip')
    expect(first.headers.get('cache-control')).toBe('public, max-age=86400, must-revalidate')
    expect(first.headers.get('content-language')).toBe('kk')
    const etag = first.headers.get('etag')!
    const again = await app.request(path, { headers: { 'accept-encoding': 'gzip', 'if-none-match': etag } })
    expect(again.status).toBe(304)
    const head = await app.request(path, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  it('answers a month outside the archives with a 404 naming the first and last, localized', async () => {
    const app = await archivedApp()
    for (const month of ['2022-09', '2099-01']) {
      const res = await app.request(`/ru/latest/archive/${month}.atom`)
      expect(res.status).toBe(404)
      const problem = (await res.json()) as { code: string; detail: string }
      expect(problem.code).toBe('ARCHIVE_MONTH_NOT_FOUND')
      expect(problem.detail).toContain('2022-10')
      expect(problem.detail).toContain('2022-11')
    }
    const ru = await app.request('/ru/latest/archive/2030-01.rss', { headers: { 'accept-language': 'ru' } })
    expect(((await ru.json()) as { detail: string }).detail).toMatch(
      /^Архива ленты latest .* с 2022-10 .* по 2022-11/,
    )
    for (const month of ['2022-13', '22-11', 'latest']) {
      const res = await app.request(`/ru/latest/archive/${month}.json`)
      expect(res.status, month).toBe(400)
      expect(((await res.json()) as { code: string }).code).toBe('ARCHIVE_MONTH_INVALID')
    }
    expect((await app.request('/ru/latest/archive/2022-11.txt')).status).toBe(404)
    const wire = await app.request('/ru/wire/archive/2022-11.atom')
    expect(((await wire.json()) as { code: string }).code).toBe('FEED_PARTNERS_ONLY')
  })

  it('says a feed whose stories all fit its window has no archives yet', async () => {
    const store = new MemoryObjectStore()
    await storeArticles(store, loadSamples())
    const app = appOver(store, { freshMs: 0 })
    const res = await app.request('/zh/latest/archive/2022-11.atom')
    expect(res.status).toBe(404)
    expect(((await res.json()) as { code: string }).code).toBe('ARCHIVE_NOT_FOUND')
    const current = xml.parse(await (await app.request('/zh/latest.atom')).text()).feed as { link: Link[] }
    expect(current.link.some((l) => l.rel === 'prev-archive')).toBe(false)
  })

  it('changes only the month of a corrected story; a retracted story leaves for a tombstone', async () => {
    const app = await archivedApp()
    const before10 = await atom(app, '/ru/latest/archive/2022-10.atom')
    const before11 = await atom(app, '/ru/latest/archive/2022-11.atom')
    const moscow = loadSamples().find((a) => a.id === 'sco-moscow-presentation' && a.locale === 'ru')!
    const corrected = { ...moscow, title: 'Исправлено', updatedAt: '2022-12-01T10:00:00+03:00' }
    expect((await postRepublish(app, { upsert: [corrected] })).status).toBe(200)
    const after10 = await atom(app, '/ru/latest/archive/2022-10.atom')
    expect(after10.etag).not.toBe(before10.etag)
    expect(after10.feed.entry?.[0]?.title['#text']).toBe('Исправлено')
    expect((await atom(app, '/ru/latest/archive/2022-11.atom')).etag).toBe(before11.etag)

    const res = await postRepublish(app, { retract: [{ id: 'sco-tashkent-presentation', locale: 'ru' }] })
    expect(res.status).toBe(200)
    const after11 = await atom(app, '/ru/latest/archive/2022-11.atom')
    expect(after11.ids).not.toContain(id('sco-tashkent-presentation'))
    expect(after11.feed['at:deleted-entry']?.map((d) => d.ref)).toEqual([id('sco-tashkent-presentation')])
    const json = (await (await app.request('/ru/latest/archive/2022-11.json')).json()) as {
      items: { id: string }[]
    }
    expect(json.items.map((i) => i.id)).not.toContain(id('sco-tashkent-presentation'))
    expect((await atom(app, '/ru/latest/archive/2022-10.atom')).etag).toBe(after10.etag)
  })

  it('answers a hot archive from the synchronous front (as Node does), with the bytes and headers of the app', async () => {
    const store = new MemoryObjectStore()
    await storeArticles(store, loadSamples())
    const app = appOver(store, { freshMs: 60_000 }, undefined, {}, catalogWithLimit(2))
    const path = '/uz/sco/archive/2022-11.json'
    const request = {
      method: 'GET',
      path,
      cfRay: undefined,
      ifModifiedSince: undefined,
      acceptEncoding: undefined,
    }
    // Not yet read: the app answers (and renders) it.
    expect(app.front({ ...request, ifNoneMatch: undefined })).toBeUndefined()
    const res = await app.request(path)
    const body = new Uint8Array(await res.arrayBuffer())
    const answer = app.front({ ...request, ifNoneMatch: undefined })!
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual(body)
    const headers = new Map<string, string>()
    for (let i = 0; i < answer.rawHeaders.length; i += 2)
      headers.set(answer.rawHeaders[i]!.toLowerCase(), answer.rawHeaders[i + 1]!)
    expect(headers.get('etag')).toBe(res.headers.get('etag'))
    expect(headers.get('cache-control')).toBe(res.headers.get('cache-control'))
    expect(app.front({ ...request, ifNoneMatch: res.headers.get('etag')! })?.status).toBe(304)
    // A month outside the archives is the app's 404, never the front's.
    expect(
      app.front({ ...request, path: '/uz/sco/archive/2030-01.json', ifNoneMatch: undefined }),
    ).toBeUndefined()
  })

  it('lets the preview and the directory pages autodiscover the newest archive of each feed', async () => {
    const app = await archivedApp()
    const links = (html: string) =>
      [
        ...html.matchAll(
          /<link rel="prev-archive" type="application\/atom\+xml" hreflang="([^"]+)" href="([^"]+)"\/>/g,
        ),
      ].map((m) => m[2])
    expect(links(await (await app.request('/ru/latest')).text())).toEqual([
      `${BASE}/ru/latest/archive/2022-11.atom`,
    ])
    const directory = links(await (await app.request('/?lang=kk')).text())
    expect(directory).toContain(`${BASE}/kk/sco/archive/2022-11.atom`)
    expect(directory).toContain(`${BASE}/zh-hant/latest/archive/2022-11.atom`)
  })

  it('follows the change log after a webhook: readers of every archive share one look, the locale is not listed again', async () => {
    const store = new (class extends MemoryObjectStore {
      listed: string[] = []
      read: string[] = []
      override list(prefix: string, options?: { startAfter?: string }) {
        this.listed.push(prefix)
        return super.list(prefix, options)
      }
      override get(key: string) {
        this.read.push(key)
        return super.get(key)
      }
    })()
    await storeArticles(store, loadSamples())
    const app = appOver(store, { freshMs: 0 }, undefined, {}, catalogWithLimit(2))
    const paths = ['latest', 'sco'].flatMap((feed) =>
      ['2022-10.atom', '2022-11.atom', '2022-11.json'].map((file) => `/ru/${feed}/archive/${file}`),
    )
    for (const path of paths) expect((await app.request(path)).status, path).toBe(200)
    const moscow = loadSamples().find((a) => a.id === 'sco-moscow-presentation' && a.locale === 'ru')!
    const corrected = { ...moscow, title: 'Исправлено', updatedAt: '2022-12-01T10:00:00+03:00' }
    expect((await postRepublish(app, { upsert: [corrected] })).status).toBe(200)
    store.listed = []
    store.read = []
    const answers = await Promise.all(paths.map(async (path) => app.request(path)))
    expect(answers.map((res) => res.status)).toEqual(paths.map(() => 200))
    // One listing of the log for all six requests; the story came with its entry: no story read or listed.
    expect(store.listed).toEqual(['log/'])
    expect(store.read.filter((key) => key.startsWith('articles/'))).toEqual([])
    const october = await atom(app, '/ru/sco/archive/2022-10.atom')
    expect(october.feed.entry?.map((e) => e.title['#text'])).toEqual(['Исправлено'])
  })

  it('tells of a story the public saw, pulled under a newer version’s embargo, but never of one it never saw', async () => {
    const store = new MemoryObjectStore()
    await storeArticles(store, loadSamples())
    let clock = Math.floor(Date.now() / 1000) * 1000
    const app = appOver(store, { freshMs: 0, now: () => clock }, undefined, {}, catalogWithLimit(2))
    const post = async (payload: unknown) => {
      const res = await postRepublish(app, payload, { t: clock / 1000 })
      expect(res.status, await res.clone().text()).toBe(200)
    }
    const until = clock + 3_600_000
    const embargo = { updatedAt: new Date(clock).toISOString(), embargoUntil: new Date(until).toISOString() }
    const tashkent = loadSamples().find((a) => a.id === 'sco-tashkent-presentation' && a.locale === 'ru')!
    expect((await atom(app, '/ru/latest/archive/2022-11.atom')).ids).toContain(
      id('sco-tashkent-presentation'),
    )
    // An archived story the public saw gets a newer version under embargo; a story of the same month
    // is sent under embargo only. Both are killed before the embargo time.
    const secret = {
      ...tashkent,
      id: 'sco-archive-secret',
      url: 'https://news.example.com/ru/sco-archive-secret',
    }
    await post({
      upsert: [
        { ...tashkent, ...embargo },
        { ...secret, ...embargo },
      ],
    })
    clock += 60_000
    await post({
      retract: ['sco-tashkent-presentation', 'sco-archive-secret'].map((story) => ({
        id: story,
        locale: 'ru',
        reason: 'kill',
      })),
    })
    for (const at of [clock, until + 60_000]) {
      clock = at
      const november = await atom(app, '/ru/latest/archive/2022-11.atom')
      expect(november.feed['at:deleted-entry']?.map((d) => d.ref)).toEqual([id('sco-tashkent-presentation')])
      const json = (await (await app.request('/ru/latest/archive/2022-11.json')).json()) as {
        _silkfeed: { deleted?: { id: string; reason: string }[] }
      }
      expect(json._silkfeed.deleted).toEqual([
        expect.objectContaining({ id: id('sco-tashkent-presentation'), reason: 'kill' }),
      ])
    }
  })
})
