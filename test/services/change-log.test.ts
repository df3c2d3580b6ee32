import { describe, expect, it } from 'vitest'
import { CACHE_BOUNDS } from '../../src/domain/bounded-cache.ts'
import type { Change } from '../../src/domain/feed-snapshot.ts'
import { ChangeLog } from '../../src/services/change-log.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'

const retraction = (n: number): Change => ({
  type: 'retract',
  id: `story-${n}`,
  locale: 'ru',
  at: '2026-12-06T00:00:00.000Z',
  sections: ['news'],
})

/** An entry of `size` changes, as a backfill's webhook appends. */
const batch = (size: number, from = 0) => Array.from({ length: size }, (_, i) => retraction(from + i))

describe('the change log in memory', () => {
  it('reads an entry it wrote or read once from memory after that', async () => {
    const store = new MemoryObjectStore()
    let id = 0
    const log = new ChangeLog(store, () => String(++id), Date.now, 1000)
    const written = await log.append(batch(3))
    const requests = store.requests
    expect(await log.read(written.key)).toEqual(batch(3))
    expect(store.requests).toBe(requests)
    const other = new ChangeLog(store, () => 'x', Date.now, 1000)
    await other.read(written.key)
    await other.read(written.key)
    expect(store.requests).toBe(requests + 1)
  })

  it("holds no more entries than their changes' bound: a backfill's big entries are read again from storage", async () => {
    const store = new MemoryObjectStore()
    let id = 0
    const log = new ChangeLog(store, () => String(++id).padStart(4, '0'), Date.now, 1000)
    const size = 1750 // a webhook of 1000 records with their script variants
    const bound = CACHE_BOUNDS.changeLogEntries.maxWeight
    const entries = []
    for (let i = 0; i * size <= bound + size; i++) entries.push(await log.append(batch(size, i * size)))
    const requests = store.requests
    // The newest entries are still in hand; the first went when the bound was passed.
    expect(await log.read(entries.at(-1)!.key)).toHaveLength(size)
    expect(store.requests).toBe(requests)
    expect(await log.read(entries[0]!.key)).toEqual(batch(size))
    expect(store.requests).toBe(requests + 1)
  })
})
