import { describe, expect, it } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { LimitedObjectStore, StorageLimiter } from '../../src/storage/limited-object-store.ts'
import { StorageUnavailableError, type ObjectStore } from '../../src/ports/object-store.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore, overriding } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

/** `count` new Russian stories, `batch-0`… */
const newStories = (count: number) =>
  Array.from({ length: count }, (_, n) => ({
    id: `batch-${n}`,
    locale: 'ru',
    title: `Новость ${n}`,
    url: `https://news.silkfeed.dev/ru/batch-${n}`,
    publishedAt: '2026-12-01T00:00:00Z',
    sections: ['economy'],
  }))

describe('a republish', () => {
  it('stores no feed before the changes it shows are durable, and none when they fail', async () => {
    const memory = new MemoryObjectStore()
    await storeArticles(memory, loadSamples())
    const feedPuts: string[] = []
    let failLog: (error: Error) => void = () => {}
    let logHeld!: () => void
    const held = new Promise<void>((resolve) => (logHeld = resolve))
    const store = overriding(memory, {
      put: (key, body, meta) => {
        if (key.startsWith('rendered/')) feedPuts.push(key)
        if (!key.startsWith('log/')) return memory.put(key, body, meta)
        logHeld()
        return new Promise((_, reject) => (failLog = reject))
      },
    })
    const app = appOver(store)
    const story = loadSamples().find((a) => a.locale === 'ru' && a.sections.includes('sco'))!
    const answer = postRepublish(app, {
      upsert: [{ ...story, title: 'Исправлено', updatedAt: '2026-12-01T00:00:00Z' }],
    })
    await held
    // Rendering has had every chance to run meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(feedPuts).toEqual([])
    failLog(new StorageUnavailableError('log write failed'))
    expect((await answer).status).toBe(503)
    expect(feedPuts).toEqual([])
  })

  it('uses every free storage slot, and a reader that arrives meanwhile gets the next one', async () => {
    const memory = new MemoryObjectStore()
    await storeArticles(memory, loadSamples())
    // Every story and version write of the batch stays in flight until released, one at a time.
    const held: Array<() => void> = []
    let holding = true
    const store = overriding(memory, {
      put: async (key, body, meta) => {
        const batchWrite = key.startsWith('articles/') || key.startsWith('stories/')
        if (holding && batchWrite) await new Promise<void>((resolve) => held.push(resolve))
        return memory.put(key, body, meta)
      },
    })
    const process = new StorageLimiter(8)
    const limited = new LimitedObjectStore(store, process)
    const app = appOver(limited, { requestStore: () => limited.withPriority('bulk') })
    expect((await app.request('/ru/latest.json')).status).toBe(200)

    const records = newStories(200)
    const answer = postRepublish(app, { upsert: records })
    for (let turn = 0; turn < 500 && held.length < process.limit; turn++)
      await new Promise((resolve) => setTimeout(resolve, 5))
    // Alone, the batch holds every slot, and has more writes waiting.
    expect(held.length).toBe(process.limit)
    expect(process.active).toBe(process.limit)
    expect(process.queued).toBeGreaterThan(0)

    // A reader waits only for the first slot to free up, not behind the batch's queue.
    let read: unknown
    const reader = limited.get('rendered/latest/ru.json').then((object) => (read = object))
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(read).toBeUndefined()
    held.shift()!()
    await reader
    expect(read).not.toBeNull()
    expect(held.length).toBeLessThanOrEqual(process.limit)

    holding = false
    for (const release of held.splice(0)) release()
    expect((await answer).status).toBe(200)
  })

  it('answers 503 when a later part of a batch cannot be looked up, once every write it began has settled', async () => {
    const memory = new MemoryObjectStore()
    await storeArticles(memory, loadSamples())
    const failing = { on: true }
    const refuse = (key: string) => failing.on && key.includes('/batch-40')
    let writing = 0
    const written: string[] = []
    const store: ObjectStore = {
      get: (k) => (refuse(k) ? Promise.reject(new StorageUnavailableError('lookup failed')) : memory.get(k)),
      getIfChanged: (k, e) => memory.getIfChanged(k, e),
      list: (p, o) =>
        refuse(p) ? Promise.reject(new StorageUnavailableError('lookup failed')) : memory.list(p, o),
      delete: (k) => memory.delete(k),
      ping: () => memory.ping(),
      put: async (key, body, meta) => {
        writing++
        try {
          await new Promise((resolve) => setTimeout(resolve, 2))
          written.push(key)
          return await memory.put(key, body, meta)
        } finally {
          writing--
        }
      },
    }
    const app = appOver(store)
    const records = newStories(60)
    const failed = await postRepublish(app, { upsert: records })
    expect(failed.status).toBe(503)
    // The stories decided before the failure were being stored: nothing is still writing now.
    expect(writing).toBe(0)
    expect(written.some((key) => key.includes('/batch-0/'))).toBe(true)
    // Nothing is logged, and no feed shows any of them.
    expect(written.filter((key) => key.startsWith('log/') || key.startsWith('rendered/'))).toEqual([])

    failing.on = false
    const retried = await postRepublish(app, { upsert: records })
    expect(retried.status).toBe(200)
    const { stored } = (await retried.json()) as { stored: { id: string; locale: string }[] }
    expect(stored.filter((s) => s.locale === 'ru')).toHaveLength(60)
  })
})
