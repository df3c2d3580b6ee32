import { expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { appOver } from '../support/app.ts'
import type { ChangesPage } from '../support/changes.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

// Two instances on one bucket. A public reader polls instance A, whose listings of the change log are
// shared for up to a second; the editor postpones an embargo through instance B just before the first
// embargo time. A must not release the version the postponement replaced on the strength of a listing
// begun before the release time.

it('never releases a version postponed through another instance just before its release time', async () => {
  let clock = Date.now()
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  const a = appOver(store, { now: () => clock })
  const b = appOver(store, { now: () => clock })
  const ID = 'cursor-release-race'
  const story = (overrides: Partial<Article>): Article => ({
    id: ID,
    locale: 'ru',
    title: `Новость ${ID}`,
    url: `https://news.silkfeed.dev/ru/2026/12/08/${ID}`,
    publishedAt: new Date(clock - 3_600_000).toISOString(),
    sections: ['sco'],
    ...overrides,
  })
  const post = async (payload: unknown) => {
    const res = await postRepublish(b, payload, { t: clock / 1000 })
    expect(res.status, await res.clone().text()).toBe(200)
  }
  const read = async (cursor?: string): Promise<ChangesPage> => {
    const res = await a.request(`/ru/changes${cursor ? `?cursor=${cursor}` : ''}`)
    expect(res.status, await res.clone().text()).toBe(200)
    return (await res.json()) as ChangesPage
  }
  const ours = (page: ChangesPage) => page.changes.filter((c) => c.id === ID).map((c) => [c.type, c.version])

  const start = await read()
  const t1 = clock + 10_000
  const t2 = clock + 60_000
  await post({ upsert: [story({ embargoUntil: new Date(t1).toISOString() })] })
  clock += 1_000
  // The reader passes the version under embargo: its cursor now holds the release at t1.
  const holding = await read(start.next_cursor)
  expect(ours(holding)).toEqual([])
  // Half a second before t1 it polls again: A lists the log, and shares that listing for a second.
  clock = t1 - 500
  const before = await read(holding.next_cursor)
  expect(ours(before)).toEqual([])
  // The editor postpones through B, 300 ms before t1.
  clock = t1 - 300
  await post({
    upsert: [
      story({ updatedAt: new Date(clock - 1).toISOString(), embargoUntil: new Date(t2).toISOString() }),
    ],
  })
  // Just past t1, A's shared listing (begun before t1) does not hold the postponement yet.
  clock = t1 + 100
  const past = await read(before.next_cursor)
  expect(ours(past)).toEqual([])
  // At the new time, the newer version is released, and only it.
  clock = t2 + 100
  const released = await read(past.next_cursor)
  const versions = ours(released)
  expect(versions.map(([type]) => type)).toEqual(['released'])
  const item = (await (await a.request(`/ru/items/${ID}.ninjs.json`)).json()) as { version: string }
  expect(versions[0]![1]).toBe(item.version)
})
