import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { FeedSnapshot } from '../../src/domain/feed-snapshot.ts'
import { decodeSnapshot, readSnapshot, writeSnapshot } from '../../src/services/snapshot-codec.ts'
import { KEYS } from '../../src/services/storage-keys.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'

const samples = loadSamples()

/** Snapshots as the materializer keeps them: sample records (some updated), tombstones, applied keys. */
const snapshot: fc.Arbitrary<FeedSnapshot> = fc
  .record({
    items: fc.subarray(samples),
    updated: fc.boolean(),
    tombstones: fc.array(
      fc.record({
        id: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
        at: fc.integer({ min: 0, max: 2 ** 41 }).map((ms) => new Date(ms).toISOString()),
      }),
      { maxLength: 4 },
    ),
    applied: fc.array(fc.stringMatching(/^log\/[0-9]{1,15}-[a-z0-9]{1,6}\.json$/), { maxLength: 4 }),
    complete: fc.boolean(),
    listedAt: fc.integer({ min: 0, max: 2 ** 42 }),
  })
  .map(({ items, updated, ...rest }) => ({
    ...rest,
    items: items.map((a) => (updated ? { ...a, updatedAt: '2026-12-01T00:00:00.000Z' } : a)),
  }))

describe('the stored snapshot format', () => {
  it('reads back every snapshot exactly as it was written', async () => {
    await fc.assert(
      fc.asyncProperty(snapshot, async (written) => {
        const store = new MemoryObjectStore()
        await writeSnapshot(store, 'sco', 'kk', written)
        expect(await readSnapshot(store, 'sco', 'kk')).toEqual(written)
      }),
      { numRuns: 50 },
    )
  })

  it('refuses every truncation of a stored snapshot instead of serving part of a feed', async () => {
    const store = new MemoryObjectStore()
    await writeSnapshot(store, 'sco', 'kk', {
      items: samples.slice(0, 2),
      tombstones: [{ id: 'gone', at: '2026-12-01T00:00:00.000Z' }],
      applied: ['log/1-a.json'],
      complete: true,
      listedAt: 1,
    })
    const bytes = store.objects.get(KEYS.snapshot('sco', 'kk'))!.body
    expect(decodeSnapshot(bytes)).not.toBeNull()
    for (let length = 0; length < bytes.byteLength; length += 7) {
      expect(decodeSnapshot(bytes.subarray(0, length))).toBeNull()
    }
  })

  it('refuses JSON of another shape: a record without its title, a missing field, a value of the wrong type', () => {
    const good = { items: [samples[0]], tombstones: [], applied: [], complete: true, listedAt: 0 }
    const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
    expect(decodeSnapshot(encode(good))).toEqual(good)
    const { title: _title, ...untitled } = samples[0]!
    for (const bad of [
      { ...good, items: [untitled] },
      { ...good, applied: undefined },
      { ...good, complete: 'yes' },
      { ...good, listedAt: 'now' },
      { ...good, tombstones: [{ id: 'x' }] },
      [good],
      null,
    ]) {
      expect(decodeSnapshot(encode(bad))).toBeNull()
    }
  })
})
