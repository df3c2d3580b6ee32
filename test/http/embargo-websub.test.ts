import { beforeEach, describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { HubNotifier } from '../../src/services/websub.ts'
import { appOver, silentLogger } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

// A hub hears of a feed when its bytes change. A story stored under embargo changes no public feed:
// pinging them would tell every hub (and whoever it pushes to) that something is held back, then.

/** Records the feed URLs each republish announces, when it announces them (no hub, no waiting). */
class RecordingHubs extends HubNotifier {
  readonly pinged: string[] = []
  override notify(feedUrls: readonly string[]): Promise<void> {
    this.pinged.push(...feedUrls)
    return Promise.resolve()
  }
}

let clock: number
let hubs: RecordingHubs
let app: ReturnType<typeof appOver>

beforeEach(async () => {
  clock = Date.now()
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  hubs = new RecordingHubs({
    hubs: ['https://hub.test/'],
    logger: silentLogger,
    attempts: 1,
    backoffMs: 1,
    timeoutMs: 1,
  })
  // The feeds as another process rendered and stored them; this one never read them (a fresh start).
  const hub = { hubs: ['https://hub.test/'] }
  const before = await postRepublish(appOver(store, { now: () => clock }, undefined, hub), { rebuild: 'all' })
  expect(before.status).toBe(200)
  app = appOver(store, { now: () => clock }, undefined, hub, undefined, { hubs })
})

const post = async (upsert: Article[]) => {
  const res = await postRepublish(app, { upsert }, { t: clock / 1000 })
  expect(res.status, await res.clone().text()).toBe(200)
  clock += 1
}

function story(locale: Article['locale'], overrides: Partial<Article> = {}): Article {
  return {
    id: 'websub-embargo',
    locale,
    title: locale === 'ru' ? 'Решение саммита объявят' : 'Sammit qarori e’lon qilinadi',
    url: `https://news.silkfeed.dev/${locale}/2026/12/08/websub-embargo`,
    publishedAt: new Date(clock - 3_600_000).toISOString(),
    sections: ['sco'],
    ...overrides,
  }
}

const held = () => ({ embargoUntil: new Date(clock + 3_600_000).toISOString() })
const localeOf = (url: string) => new URL(url).pathname.split('/')[1]

describe('WebSub pings and embargoes', () => {
  it('announces no feed when a story is stored under embargo', async () => {
    await post([story('uz', held())])
    expect(hubs.pinged).toEqual([])
    // Nor when the embargo is postponed.
    await post([story('uz', { embargoUntil: new Date(clock + 7_200_000).toISOString() })])
    expect(hubs.pinged).toEqual([])
  })

  it('announces the released translation’s feeds, not those of the one under embargo', async () => {
    await post([story('uz', held()), story('ru')])
    // Only the Russian feeds changed: the Uzbek ones (and their Cyrillic variant) hold the same
    // bytes as before, and no other locale carries the story.
    expect(new Set(hubs.pinged.map(localeOf))).toEqual(new Set(['ru']))
    expect(hubs.pinged).toContain('https://feeds.silkfeed.test/ru/sco.atom')
  })

  it('keeps silent about an embargoed correction of a released story, and announces the public one', async () => {
    await post([story('uz')])
    expect(hubs.pinged.map(localeOf)).toContain('uz')
    hubs.pinged.length = 0
    const later = new Date(clock).toISOString()
    await post([story('uz', { ...held(), title: 'Yangi matn', updatedAt: later })])
    // The released version leaves the public feeds while its correction is held: that is a change.
    expect(new Set(hubs.pinged.map(localeOf))).toEqual(new Set(['uz', 'uz-cyrl']))
    hubs.pinged.length = 0
    clock += 1000
    await post([story('uz', { title: 'Ochiq matn', updatedAt: new Date(clock).toISOString() })])
    expect(hubs.pinged).toContain('https://feeds.silkfeed.test/uz/sco.atom')
  })
})
