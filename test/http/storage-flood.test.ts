import { describe, expect, it } from 'vitest'
import { FORMATS } from '../../src/domain/feed-definition.ts'
import { LOCALES } from '../../src/domain/locale.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { NO_TELEMETRY } from '../../src/services/telemetry.ts'
import type { Telemetry } from '../../src/ports/observability.ts'
import { instrumentStore } from '../../src/storage/instrumented-object-store.ts'
import { appOver, silentLogger } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadCatalog, loadSamples } from '../support/samples.ts'

const HOT_CACHE_MS = 2000
const READY_CACHE_MS = 5000

/**
 * The real app over an in-memory store behind the instrumented store decorator, which reports every
 * storage request; the clock is the test's, so "per second" means per second of that clock.
 */
async function countedApp() {
  const memory = new MemoryObjectStore()
  await storeArticles(memory, loadSamples())
  const clock = { now: Date.parse('2026-12-05T12:00:00Z') }
  const now = () => clock.now
  const requests: string[] = []
  const counting: Telemetry = {
    ...NO_TELEMETRY,
    observe: (name, _seconds, labels) => {
      if (name === 'silkfeed_storage_request_seconds') requests.push(labels?.op ?? '?')
    },
  }
  const store = instrumentStore(memory, counting, now)
  const app = appOver(store, { now, freshMs: HOT_CACHE_MS }, silentLogger, {}, undefined, {
    readyCacheMs: READY_CACHE_MS,
    metrics: { render: () => '# nothing\n' },
  })
  return { app, clock, requests }
}

const catalog = loadCatalog()
const FEED_PATHS = catalog.all.flatMap((d) =>
  d.locales.flatMap((locale) => FORMATS.map((format) => `/${locale}/${d.id}.${format}`)),
)
/** Every representation a request can make the app read: each feed in each locale and format. */
const REPRESENTATIONS = FEED_PATHS.length

const PAGE_PATHS = ['/', '/?lang=kk', '/feeds.opml', '/ru/feeds.opml', '/uz/sco', `/${LOCALES.at(-1)}/latest`]
const FREE_PATHS = [
  '/healthz',
  '/metrics',
  '/openapi.json',
  '/nope',
  '/zh/nope.rss',
  '/xx/latest.rss',
  '/zh/latest.xml',
  '/zh/nope',
  '/xx/feeds.opml',
  '/nope.rss',
  '/latest.rss',
  '/?lang=xx',
  '/zh/latest.rss/more',
  '/p/0123456789abcdef/zh/latest.rss',
  `/${'a'.repeat(2000)}.json`,
]

/** 100 requests at once, cycling through the paths, plus unsigned webhooks among them. */
async function burst(app: Awaited<ReturnType<typeof countedApp>>['app'], paths: readonly string[]) {
  const answers = await Promise.all(
    Array.from({ length: 100 }, async (_, i) =>
      i % 10 === 9
        ? app.request('/webhooks/republish', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"rebuild":"all"}',
          })
        : app.request(paths[i % paths.length]!),
    ),
  )
  for (const res of answers) expect(res.status, res.url).toBeLessThan(500)
}

/** Floods for `seconds` of the test clock, a burst every quarter second. */
async function flood(
  counted: Awaited<ReturnType<typeof countedApp>>,
  paths: readonly string[],
  seconds: number,
) {
  for (let step = 0; step < seconds * 4; step++) {
    await burst(counted.app, paths)
    counted.clock.now += 250
  }
}

describe('requests without a key or signature cannot starve storage', () => {
  it('unknown URLs, /healthz, /metrics, redirects and unsigned webhooks make no storage request at all', async () => {
    const counted = await countedApp()
    await flood(counted, FREE_PATHS, 10)
    expect(counted.requests).toEqual([])
  })

  it('/readyz probes storage at most once per READY_CACHE_MS, however many ask at once', async () => {
    const counted = await countedApp()
    const seconds = 20
    await flood(counted, ['/readyz'], seconds)
    expect(counted.requests.every((op) => op === 'ping')).toBe(true)
    expect(counted.requests.length).toBeLessThanOrEqual((seconds * 1000) / READY_CACHE_MS + 1)
  })

  it('feeds and pages read each representation at most once per HOT_CACHE_MS once it is in memory', async () => {
    const counted = await countedApp()
    // Cold: the first reads render and store every feed (once each, however many ask).
    await burst(counted.app, [...FEED_PATHS, ...PAGE_PATHS])
    counted.requests.length = 0

    const seconds = 10
    await flood(counted, [...FEED_PATHS, ...PAGE_PATHS, ...FREE_PATHS, '/readyz'], seconds)
    const bound =
      REPRESENTATIONS * ((seconds * 1000) / HOT_CACHE_MS + 1) + ((seconds * 1000) / READY_CACHE_MS + 1)
    expect(counted.requests.length).toBeGreaterThan(0)
    expect(counted.requests.length).toBeLessThanOrEqual(bound)
  })
})
