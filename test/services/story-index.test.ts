import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { recordJson, versionOf } from '../../src/domain/version.ts'
import type { ObjectStore } from '../../src/ports/object-store.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { KEYS } from '../../src/services/storage-keys.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

const encoder = new TextEncoder()

/** A store that counts the listings of story versions asked of it. */
function countingListings(memory: MemoryObjectStore): { store: ObjectStore; listings: string[] } {
  const listings: string[] = []
  const store: ObjectStore = {
    get: (k) => memory.get(k),
    getIfChanged: (k, e) => memory.getIfChanged(k, e),
    put: (k, b, m) => memory.put(k, b, m),
    delete: (k) => memory.delete(k),
    ping: () => memory.ping(),
    list: (prefix, options) => {
      if (prefix.startsWith(KEYS.articlesAll)) listings.push(prefix)
      return memory.list(prefix, options)
    },
  }
  return { store, listings }
}

/** Rebuilds every feed until the store is indexed (which the first webhook starts). */
async function indexed(app: ReturnType<typeof appOver>, memory: MemoryObjectStore): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    expect((await postRepublish(app, { rebuild: 'all' })).status).toBe(200)
    if (await memory.get(KEYS.storiesIndexed)) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error('the store was never indexed')
}

function story(n: number, overrides: Partial<Article> = {}): Article {
  return {
    id: `archive-${n}`,
    locale: 'uz',
    title: `Yangilik ${n}`,
    url: `https://news.silkfeed.dev/uz/archive-${n}`,
    publishedAt: new Date(Date.parse('2026-01-01T00:00:00Z') + n * 60_000).toISOString(),
    sections: ['economy'],
    ...overrides,
  }
}

describe('the story index', () => {
  it('lets a backfill of new stories through without a listing of their versions', async () => {
    const memory = new MemoryObjectStore()
    await storeArticles(memory, loadSamples())
    const { store, listings } = countingListings(memory)
    const app = appOver(store)
    await indexed(app, memory)
    listings.length = 0

    const res = await postRepublish(app, { upsert: Array.from({ length: 40 }, (_, n) => story(n)) })
    expect(res.status).toBe(200)
    const report = (await res.json()) as { stored: { locale: string }[] }
    // Each story in Uzbek Latin and its derived Cyrillic variant.
    expect(report.stored).toHaveLength(80)
    expect(listings).toEqual([])
    expect(await (await app.request('/uz-cyrl/latest.json')).text()).toContain('archive-39')
  })
  it('still knows the stories stored before it existed, once it has marked them', async () => {
    const memory = new MemoryObjectStore()
    await storeArticles(memory, loadSamples())
    // A version stored by a release without the index: no marker beside it.
    const stored = story(1, { locale: 'ru', title: 'Исправлено', updatedAt: '2026-06-01T00:00:00Z' })
    await memory.put(
      KEYS.articleVersion('ru', stored.id, versionOf(stored)),
      encoder.encode(recordJson(stored)),
      {
        contentType: 'application/json',
      },
    )
    const app = appOver(memory)
    await indexed(app, memory)
    expect(await memory.get(KEYS.storyMarker(stored.id))).not.toBeNull()

    const older = { ...stored, title: 'Старое', updatedAt: '2026-03-01T00:00:00Z' }
    const res = await postRepublish(app, { upsert: [older] })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { skipped: { reason: string }[] }).skipped).toEqual([
      expect.objectContaining({ id: stored.id, locale: 'ru', reason: 'older-than-stored' }),
    ])
  })

  it('knows the stories another instance stored since it last asked', async () => {
    const memory = new MemoryObjectStore()
    const first = appOver(memory)
    await indexed(first, memory)
    const second = appOver(memory)
    // The second instance learns that the store is indexed, and that story 7 is new, before the first stores it.
    const early = await postRepublish(second, { retract: [{ id: story(7).id }] })
    expect(((await early.json()) as { notFound: unknown[] }).notFound).toHaveLength(1)

    const newer = story(7, { updatedAt: '2026-06-01T00:00:00Z' })
    expect((await postRepublish(first, { upsert: [newer] })).status).toBe(200)

    const older = await postRepublish(second, { upsert: [story(7)] })
    expect(((await older.json()) as { skipped: { reason: string }[] }).skipped).toEqual([
      expect.objectContaining({ id: newer.id, locale: 'uz', reason: 'older-than-stored' }),
    ])
    const pulled = await postRepublish(second, { retract: [{ id: newer.id, locale: 'uz' }] })
    expect(((await pulled.json()) as { retracted: unknown[] }).retracted).toContainEqual({
      id: newer.id,
      locale: 'uz',
    })
    expect(await (await second.request('/uz/latest.atom')).text()).toContain('deleted-entry')
  })
})
