import { beforeEach, describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { ADMIN_SECRET, createPartner } from '../support/admin.ts'
import { announceReleases } from '../../src/services/releases.ts'
import { HubNotifier } from '../../src/services/websub.ts'
import { sampleApp, serviceOver, silentLogger } from '../support/app.ts'
import { TEST_SETTINGS } from '../support/samples.ts'
import { expectValidNinjs } from '../support/ninjs-schema.ts'
import { postRepublish } from '../support/webhook.ts'

// A story released in Russian while its Uzbek translation is still under embargo: the Uzbek title
// and address are news until the embargo passes, so no public document may name them before then.

const ID = 'translation-under-embargo'
const SECRET_TITLE = 'Sammit qarori e’lon qilinadi'
const SECRET_URL = 'https://news.silkfeed.dev/uz/2026/12/08/sammit-qarori'
const EMBARGO_MS = 3_600_000

let clock: number
let app: Awaited<ReturnType<typeof sampleApp>>['app']
let store: Awaited<ReturnType<typeof sampleApp>>['store']

beforeEach(async () => {
  clock = Date.now()
  ;({ app, store } = await sampleApp({ now: () => clock, adminSecrets: [ADMIN_SECRET] }))
  const base = { id: ID, publishedAt: new Date(clock - 3_600_000).toISOString(), sections: ['sco'] }
  const stories: Article[] = [
    { ...base, locale: 'ru', title: 'Решение саммита объявят', url: 'https://news.silkfeed.dev/ru/sammit' },
    {
      ...base,
      locale: 'uz',
      title: SECRET_TITLE,
      url: SECRET_URL,
      embargoUntil: new Date(clock + EMBARGO_MS).toISOString(),
    },
  ]
  const res = await postRepublish(app, { upsert: stories }, { t: clock / 1000 })
  expect(res.status, await res.clone().text()).toBe(200)
})

async function text(path: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, { headers })
  expect(res.status, path).toBe(200)
  return {
    body: await res.text(),
    cacheControl: res.headers.get('cache-control') ?? '',
    lastModified: Date.parse(res.headers.get('last-modified') ?? ''),
  }
}

type JsonFeed = {
  items: { id: string; _silkfeed?: { translations?: { language: string; url: string }[] } }[]
}
const languagesLinked = (feed: JsonFeed) =>
  feed.items.find((i) => i.id.includes(`/${ID}/`))?._silkfeed?.translations?.map((t) => t.language) ?? []

/** Records the feed URLs announced, without a hub. */
class RecordingHubs extends HubNotifier {
  override notify(): Promise<void> {
    return Promise.resolve()
  }
}

const BASE = TEST_SETTINGS.publicBaseUrl

type NinjsItem = { associations?: { language: string; uri?: string }[] }

describe('a translation under embargo', () => {
  it('is neither linked nor named by the public feeds and ninjs of the released locales', async () => {
    for (const path of ['/ru/latest.json', '/ru/latest.atom', '/ru/latest.rss', '/ru/sco.json']) {
      const { body } = await text(path)
      expect(body, path).toContain('Решение саммита')
      expect(body, path).not.toContain(SECRET_TITLE)
      expect(body, path).not.toContain(SECRET_URL)
    }
    const linked = languagesLinked(JSON.parse((await text('/ru/latest.json')).body) as JsonFeed)
    // Not the Uzbek, nor its Cyrillic variant, derived from it and under the same embargo.
    expect(linked).not.toContain('uz-Latn')
    expect(linked).not.toContain('uz-Cyrl')

    const item = await text(`/ru/items/${ID}.ninjs.json`)
    const parsed = JSON.parse(item.body) as NinjsItem
    expectValidNinjs(parsed, 'ru item')
    expect((parsed.associations ?? []).map((a) => a.language)).not.toContain('uz-Latn')
    expect(item.body).not.toContain(SECRET_TITLE)
    expect((await text('/ru/latest.ninjs.json')).body).not.toContain(SECRET_TITLE)
  })

  it('keeps the feed’s caches no longer than its release, then links it', async () => {
    const before = await text('/ru/latest.json')
    const maxAge = Number(/max-age=(\d+)/.exec(before.cacheControl)?.[1])
    expect(maxAge).toBeLessThanOrEqual(EMBARGO_MS / 1000)

    const release = clock + EMBARGO_MS
    clock = release + 1000
    const after = await text('/ru/latest.json')
    expect(languagesLinked(JSON.parse(after.body) as JsonFeed)).toEqual(
      expect.arrayContaining(['uz-Latn', 'uz-Cyrl']),
    )
    // A change of the feed: a reader polling with If-Modified-Since alone gets it, not a 304.
    expect(after.lastModified).toBeGreaterThan(before.lastModified)
    expect(after.lastModified).toBe(Math.floor(release / 1000) * 1000)
    const since = await app.request('/ru/latest.json', {
      headers: { 'if-modified-since': new Date(before.lastModified).toUTCString() },
    })
    expect(since.status).toBe(200)
    expect((await text('/ru/latest.atom')).body).toContain(SECRET_URL)
    const item = JSON.parse((await text(`/ru/items/${ID}.ninjs.json`)).body) as NinjsItem
    expect((item.associations ?? []).map((a) => a.language)).toContain('uz-Latn')
  })

  it('keeps no page or ninjs document that changes at its release in a cache past it', async () => {
    const early = await createPartner(app, {
      name: 'Early',
      feeds: ['latest'],
      locales: ['uz'],
      embargoed: true,
    })
    // Five minutes before the release: less than the pages' policy (300 s, and 600 s stale) keeps.
    clock += EMBARGO_MS - 300_000
    const left = 300
    const cut = [
      '/',
      '/ru/latest',
      '/uz/latest',
      '/ru/latest.ninjs.json',
      `/ru/items/${ID}.ninjs.json`,
      `/p/${early.key}/uz/items/${ID}.ninjs.json`,
      `/p/${early.key}/uz/latest.ninjs.json`,
    ]
    for (const path of cut) {
      const { cacheControl } = await text(path)
      const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)?.[1])
      const stale = Number(/stale-while-revalidate=(\d+)/.exec(cacheControl)?.[1])
      expect(maxAge + stale, `${path}: ${cacheControl}`).toBeLessThanOrEqual(left)
    }
    // A page with nothing held back keeps the whole policy.
    const untouched = await text('/zh/latest')
    expect(untouched.cacheControl).toMatch(/max-age=300, stale-while-revalidate=600/)
    // A minute on, the cut follows the clock: the release is nearer.
    clock += 60_000
    const later = await text('/ru/latest.ninjs.json')
    expect(later.cacheControl).toMatch(/max-age=240, stale-while-revalidate=0/)
  })

  it('is announced to WebSub hubs for the feeds that link it once released', async () => {
    const release = clock + EMBARGO_MS
    const feeds = serviceOver(store, { now: () => clock })
    const hubs = new RecordingHubs({
      hubs: ['https://hub.test/'],
      logger: silentLogger,
      attempts: 1,
      backoffMs: 1,
      timeoutMs: 1,
    })
    expect(await announceReleases(feeds, hubs, clock, 120_000)).not.toContain(`${BASE}/ru/latest.atom`)
    clock = release + 1000
    const announced = await announceReleases(feeds, hubs, clock, 120_000)
    expect(announced).toContain(`${BASE}/ru/latest.atom`)
    expect(announced).toContain(`${BASE}/uz/latest.atom`)
  })

  it('is linked for a partner entitled to embargoed stories, and not for one that is not', async () => {
    const early = await createPartner(app, {
      name: 'Early',
      feeds: ['sco'],
      locales: ['ru'],
      embargoed: true,
    })
    const plain = await createPartner(app, { name: 'Plain', feeds: ['sco'], locales: ['ru'] })
    const linkedFor = async (key: string) =>
      languagesLinked(JSON.parse((await text(`/p/${key}/ru/sco.json`)).body) as JsonFeed)
    expect(await linkedFor(early.key)).toContain('uz-Latn')
    expect(await linkedFor(plain.key)).not.toContain('uz-Latn')
    const keyed = await text(`/p/${plain.key}/ru/items/${ID}.ninjs.json`)
    expect(keyed.body).not.toContain(SECRET_TITLE)
  })
})
