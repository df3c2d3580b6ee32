import { createAppCaches } from '../../src/http/caches.ts'
import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { parseFeedCatalog, type FeedCatalog } from '../../src/domain/feed-definition.ts'
import { Hono } from 'hono'
import { parsePath } from '../../src/domain/url-scheme.ts'
import { createApp } from '../../src/http/app.ts'
import type { AppEnv } from '../../src/http/context.ts'
import { feedCacheControl } from '../../src/domain/cache-control.ts'
import { resolveAnyFeed } from '../../src/http/resources.ts'
import { serveFeedFor } from '../../src/http/serve-answer.ts'
import { PageService } from '../../src/services/page-service.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { HubNotifier } from '../../src/services/websub.ts'
import { TEST_SECRET, silentLogger, serviceOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadCatalog, loadSamples, TEST_SETTINGS } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

const T0 = Date.parse('2026-12-05T09:00:00Z')
const EMBARGO = '2026-12-05T12:02:00+03:00' // two minutes after T0

/** The real app over the samples with a clock the test moves, and the feed service behind it. */
async function partnerApp(catalog: FeedCatalog = loadCatalog()) {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  const clock = { now: T0 }
  const now = () => clock.now
  const feeds = serviceOver(store, { now }, silentLogger, catalog)
  const app = createApp({
    feeds,
    publish: feeds.publishService(),
    hubs: new HubNotifier({ hubs: [], logger: silentLogger, attempts: 1, backoffMs: 1, timeoutMs: 100 }),
    webhook: { secrets: [TEST_SECRET], maxBytes: 64 * 1024 },
    publicBaseUrl: TEST_SETTINGS.publicBaseUrl,
    store,
    logger: silentLogger,
    now,
    newRequestId: () => 'req-test',
    retryAfterSeconds: 7,
    caches: createAppCaches(),
  })
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    postRepublish(app, payload, { t: clock.now / 1000, headers })
  return { store, clock, feeds, app, post }
}

const story = (overrides: Partial<Article> = {}): Article => ({
  id: 'sco-embargoed',
  locale: 'ru',
  title: 'Соглашение подпишут в Ташкенте',
  summary: 'Краткое содержание.',
  contentHtml: '<p>Полный текст под эмбарго.</p>',
  url: 'https://news.example.com/ru/sco-embargoed',
  publishedAt: '2026-12-05T11:00:00+03:00',
  sections: ['sco'],
  ...overrides,
})
const ID = 'tag:silkfeed.dev,2026:article/sco-embargoed/ru'
const itemIds = (json: unknown) => (json as { items: { id: string }[] }).items.map((i) => i.id)
const snapshotOf = (store: MemoryObjectStore) => new Map([...store.objects].map(([k, v]) => [k, v.etag]))

describe('a partners-only feed (public: none)', () => {
  it('is a 404 problem that says how partners read it, in the reader’s language', async () => {
    const { app } = await partnerApp()
    for (const [language, words] of [
      ['en', 'for partners only'],
      ['ru', 'только партнёрам'],
      ['uz-Cyrl', 'фақат ҳамкорлар'],
    ] as const) {
      const res = await app.request('/ru/wire.rss', { headers: { 'accept-language': language } })
      expect(res.status).toBe(404)
      const problem = (await res.json()) as { code: string; detail: string }
      expect(problem.code).toBe('FEED_PARTNERS_ONLY')
      expect(problem.detail).toContain(words)
      expect(problem.detail).toContain('/p/{key}/ru/wire.{rss|atom|json}')
      expect(problem.detail).toContain('latest, sco')
    }
    expect((await app.request('/ru/wire')).status).toBe(404)
    expect((await app.request('/wire.atom')).status).toBe(404)
  })

  it('is in no public directory or OPML list', async () => {
    const { app } = await partnerApp()
    for (const path of ['/?lang=ru', '/ru/feeds.opml', '/feeds.opml']) {
      const res = await app.request(path)
      expect(res.status).toBe(200)
      expect(await res.text()).not.toContain('wire')
    }
  })

  it('is rendered for partners, once per change and not per reader', async () => {
    const { feeds } = await partnerApp()
    const wire = feeds.feeds.find('wire')!
    const first = await feeds.getFeedFor(wire, 'ru', 'json', 'full')
    const again = await feeds.getFeedFor(wire, 'ru', 'json', 'full')
    expect(again.bundle).toBe(first.bundle)
    expect(again.outcome).toBe('hit')
    const embargoed = await feeds.getFeedFor(wire, 'ru', 'json', 'full-embargoed')
    expect(embargoed.bundle.audience).toBe('full-embargoed')
    expect(feeds.getHotFeedFor(wire, 'ru', 'json', 'full-embargoed')?.bundle).toBe(embargoed.bundle)
  })
})

describe('an excerpt feed (public: excerpt)', () => {
  const catalog = parseFeedCatalog({
    'feeds/brief.json': {
      id: 'brief',
      sections: ['sco'],
      locales: ['ru', 'kk'],
      limit: 50,
      public: 'excerpt',
      cache: { maxAge: 300, staleWhileRevalidate: 600, staleIfError: 86400 },
    },
  })

  it('gives the public title, summary, image and link but no body; partners get the full text', async () => {
    const { app, feeds } = await partnerApp(catalog)
    const json = (await (await app.request('/ru/brief.json')).json()) as { items: Record<string, unknown>[] }
    expect(json.items.length).toBeGreaterThan(0)
    for (const item of json.items) {
      expect(item).not.toHaveProperty('content_html')
      expect(item.content_text).toBe(item.summary ?? item.title)
    }
    expect(await (await app.request('/ru/brief.rss')).text()).not.toContain('<content:encoded>')
    expect(await (await app.request('/ru/brief.atom')).text()).not.toContain('<content type="html">')
    const full = await feeds.getFeedFor(catalog.find('brief')!, 'ru', 'json', 'full')
    const text = new TextDecoder().decode(full.bundle.variants.identity.body)
    expect(text).toContain('content_html')
  })
})

describe('an embargoed story', () => {
  it('stays out of public feeds until its time, then a GET sees it with no webhook', async () => {
    const { app, clock, feeds, post } = await partnerApp()
    expect((await post({ upsert: [story({ embargoUntil: EMBARGO })] })).status).toBe(200)

    const before = await app.request('/ru/sco.json')
    expect(itemIds(await before.json())).not.toContain(ID)
    // No cache may keep the feed past the release: two minutes left, none of it stale.
    expect(before.headers.get('cache-control')).toBe(
      'public, max-age=120, stale-while-revalidate=0, stale-if-error=86400',
    )
    expect(await (await app.request('/ru/sco.atom')).text()).not.toContain(ID)
    expect(await (await app.request('/?lang=ru')).text()).not.toContain('Соглашение подпишут')

    const partner = await feeds.getFeedFor(feeds.feeds.find('wire')!, 'ru', 'json', 'full-embargoed')
    const marked = JSON.parse(new TextDecoder().decode(partner.bundle.variants.identity.body)) as {
      items: { id: string; _silkfeed: { embargoedUntil?: string } }[]
    }
    expect(marked.items.find((i) => i.id === ID)?._silkfeed.embargoedUntil).toBe('2026-12-05T12:02:00+03:00')
    const plain = await feeds.getFeedFor(feeds.feeds.find('wire')!, 'ru', 'json', 'full')
    expect(new TextDecoder().decode(plain.bundle.variants.identity.body)).not.toContain(ID)

    clock.now = Date.parse(EMBARGO)
    const after = await app.request('/ru/sco.json')
    expect(itemIds(await after.json())).toContain(ID)
    expect(after.headers.get('cache-control')).toBe(
      'public, max-age=300, stale-while-revalidate=600, stale-if-error=86400',
    )
    // A release is a change: readers polling with If-Modified-Since see it too.
    expect(after.headers.get('last-modified')).toBe(new Date(Date.parse(EMBARGO)).toUTCString())
    const released = await feeds.getFeedFor(feeds.feeds.find('wire')!, 'ru', 'json', 'full')
    expect(new TextDecoder().decode(released.bundle.variants.identity.body)).toContain(ID)
  })
})

describe('rights and retraction reasons', () => {
  it('reach the feeds: dc:rights, Atom rights, _silkfeed.rights', async () => {
    const { app, post } = await partnerApp()
    const rights = { copyrightHolder: 'Циндао жибао', licenseUrl: 'https://news.example.com/license' }
    expect((await post({ upsert: [story({ rights })] })).status).toBe(200)
    const line = '© Циндао жибао Лицензия: https://news.example.com/license'
    expect(await (await app.request('/ru/sco.rss')).text()).toContain(`<dc:rights>${line}</dc:rights>`)
    expect(await (await app.request('/ru/sco.atom')).text()).toContain(`${line}</rights>`)
    const json = (await (await app.request('/ru/sco.json')).json()) as {
      items: { id: string; _silkfeed: { rights?: unknown } }[]
    }
    expect(json.items.find((i) => i.id === ID)?._silkfeed.rights).toEqual(rights)
  })

  it('a kill reaches the Atom tombstone (localized at:comment) and JSON Feed _silkfeed.deleted', async () => {
    const { app, clock, post } = await partnerApp()
    expect((await post({ upsert: [story()] })).status).toBe(200)
    clock.now += 60_000
    expect((await post({ retract: [{ id: 'sco-embargoed', locale: 'ru', reason: 'kill' }] })).status).toBe(
      200,
    )
    const atom = await (await app.request('/ru/sco.atom')).text()
    expect(atom).toMatch(
      /<at:deleted-entry ref="tag:silkfeed.dev,2026:article\/sco-embargoed\/ru" when="[^"]+"><at:comment>Материал отозван по юридическим причинам: удалите все его копии.<\/at:comment><\/at:deleted-entry>/,
    )
    const json = (await (await app.request('/ru/sco.json')).json()) as {
      _silkfeed: { deleted?: { id: string; reason: string }[] }
    }
    expect(json._silkfeed.deleted).toEqual([expect.objectContaining({ id: ID, reason: 'kill' })])
  })

  it('a retraction without a reason is a withdrawal, and one sent again as a kill makes it a kill', async () => {
    const { app, clock, post } = await partnerApp()
    expect((await post({ upsert: [story()] })).status).toBe(200)
    clock.now += 60_000
    expect((await post({ retract: [{ id: 'sco-embargoed', locale: 'ru' }] })).status).toBe(200)
    const reasons = async () =>
      (
        (await (await app.request('/ru/sco.json')).json()) as { _silkfeed: { deleted: { reason: string }[] } }
      )._silkfeed.deleted.map((d) => d.reason)
    expect(await reasons()).toEqual(['withdrawn'])
    clock.now += 60_000
    expect((await post({ retract: [{ id: 'sco-embargoed', reason: 'kill' }] })).status).toBe(200)
    expect(await reasons()).toEqual(['kill'])
    // A captured withdrawal replayed later never undoes the kill.
    expect((await post({ retract: [{ id: 'sco-embargoed', locale: 'ru' }] })).status).toBe(200)
    expect(await reasons()).toEqual(['kill'])
  })
})

describe('bad partner content input', () => {
  it.each([
    [
      'an embargoUntil that is not RFC 3339',
      { upsert: [story({ embargoUntil: 'tomorrow' })] },
      '$.upsert[0].embargoUntil',
    ],
    [
      'an embargoUntil without an offset',
      { upsert: [story({ embargoUntil: '2026-12-06T09:00:00' })] },
      '$.upsert[0].embargoUntil',
    ],
    ['empty rights', { upsert: [story({ rights: {} })] }, '$.upsert[0].rights'],
    ['an unknown rights field', { upsert: [{ ...story(), rights: { owner: 'x' } }] }, '$.upsert[0].rights'],
    [
      'a licence that is not a URL',
      { upsert: [story({ rights: { licenseUrl: 'cc-by' } })] },
      '$.upsert[0].rights.licenseUrl',
    ],
    [
      'an unknown retraction reason',
      { retract: [{ id: 'sco-roadshow-overview', reason: 'legal' }] },
      '$.retract[0].reason',
    ],
  ])('%s: 422 naming the field, localized, and nothing changes', async (_name, payload, path) => {
    const { store, post } = await partnerApp()
    const before = snapshotOf(store)
    for (const language of ['en', 'kk', 'zh-Hant']) {
      const res = await post(payload, { 'accept-language': language })
      expect(res.status).toBe(422)
      const problem = (await res.json()) as { code: string; title: string; problems: { path: string }[] }
      expect(problem.code).toBe('INVALID_PAYLOAD')
      expect(problem.problems.map((p) => p.path)).toContain(path)
    }
    expect(snapshotOf(store)).toEqual(before)
  })
})

describe('the seam for partner routes', () => {
  it('serves any feed for an audience through the serving pipeline: variants, ETag, 304', async () => {
    const { feeds, clock, post } = await partnerApp()
    expect((await post({ upsert: [story({ embargoUntil: EMBARGO })] })).status).toBe(200)
    // What a keyed route does once the key is checked: the feed it names, for the partner's audience.
    const deps = { feeds, pages: new PageService(feeds), now: () => clock.now }
    const partner = new Hono<AppEnv>().get('/p/:locale/:file', (c) => {
      const resource = parsePath(`/${c.req.param('locale')}/${c.req.param('file')}`)
      if (resource?.kind !== 'feed') return c.notFound()
      return serveFeedFor(deps, c, resolveAnyFeed(feeds, resource), 'full-embargoed')
    })
    const res = await partner.request('/p/ru/wire.json', { headers: { 'accept-encoding': 'gzip' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8')
    const etag = res.headers.get('etag')!
    const again = await partner.request('/p/ru/wire.json', {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': etag },
    })
    expect(again.status).toBe(304)
    const plain = await partner.request('/p/ru/wire.json')
    expect(itemIds(await plain.json())).toContain(ID)
  })

  it('cuts max-age and stale-while-revalidate so that together they end by the next release', () => {
    const policy = { maxAge: 300, staleWhileRevalidate: 600, staleIfError: 86400 }
    expect(feedCacheControl(policy, undefined, T0)).toBe(
      'public, max-age=300, stale-while-revalidate=600, stale-if-error=86400',
    )
    expect(feedCacheControl(policy, T0 + 500_500, T0)).toBe(
      'public, max-age=300, stale-while-revalidate=200, stale-if-error=86400',
    )
    expect(feedCacheControl(policy, T0 + 59_999, T0)).toBe(
      'public, max-age=59, stale-while-revalidate=0, stale-if-error=86400',
    )
    expect(feedCacheControl(policy, T0 - 1, T0)).toBe(
      'public, max-age=0, stale-while-revalidate=0, stale-if-error=86400',
    )
  })
})

describe('the OpenAPI document', () => {
  it('describes embargoUntil, rights and the retraction reasons of the webhook', async () => {
    const { app } = await partnerApp()
    const doc = await (await app.request('/openapi.json')).text()
    for (const name of ['embargoUntil', 'copyrightHolder', 'copyrightNotice', 'usageTerms', 'licenseUrl'])
      expect(doc).toContain(`"${name}"`)
    expect(doc).toMatch(/"enum":\s*\[\s*"kill",\s*"withdrawn",\s*"correction-pending"\s*\]/)
  })
})
