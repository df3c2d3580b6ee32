import { describe, expect, it, vi } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { feedTiming } from '../../src/services/timing.ts'
import type { ObjectStore } from '../../src/ports/object-store.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'

/** A store whose reads of rendered feeds wait, while `held`, until the test lets them go. */
function gatedStore(inner: MemoryObjectStore) {
  const state = { held: false, waiting: 0, release: () => {} }
  let opened = Promise.resolve()
  const hold = async () => {
    if (!state.held) return
    state.waiting++
    await opened
  }
  const gate = {
    close() {
      state.held = true
      opened = new Promise<void>((resolve) => {
        state.release = () => {
          state.held = false
          resolve()
        }
      })
    },
    open: () => state.release(),
    get waiting() {
      return state.waiting
    },
  }
  const store: ObjectStore = {
    get: async (key) => (await hold(), inner.get(key)),
    getIfChanged: async (key, etag) => (await hold(), inner.getIfChanged(key, etag)),
    put: (key, body, meta) => inner.put(key, body, meta),
    list: (prefix, options) => inner.list(prefix, options),
    delete: (keys) => inner.delete(keys),
    ping: () => inner.ping(),
  }
  return { store, gate }
}

async function hotFeed() {
  const at = { now: Date.parse('2026-12-01T12:00:00Z') }
  const memory = new MemoryObjectStore()
  await storeArticles(memory, loadSamples())
  const { store, gate } = gatedStore(memory)
  const app = appOver(store, { now: () => at.now, freshMs: 2000, storageTimeoutMs: 1000 })
  const first = await app.request('/zh/sco.atom')
  expect(first.status).toBe(200)
  return { at, app, gate, etag: first.headers.get('etag') }
}

describe('a feed held in memory', () => {
  it('is served while the refresh after its expiry is held up in storage, with its Age, by one refresh', async () => {
    const { at, app, gate, etag } = await hotFeed()
    at.now += 2500
    gate.close()
    const answers = await Promise.all(Array.from({ length: 5 }, async () => app.request('/zh/sco.atom')))
    for (const res of answers) {
      expect(res.status).toBe(200)
      expect(res.headers.get('etag')).toBe(etag)
      expect(res.headers.get('age')).toBe('2')
    }
    expect(gate.waiting).toBe(1)
    gate.open()
    // Once storage has answered, the copy is fresh again.
    await vi.waitFor(async () => {
      expect((await app.request('/zh/sco.atom')).headers.get('age')).toBeNull()
    })
  })

  it('is not served older than the freshness bound: past it, the request waits for storage', async () => {
    const { at, app, gate } = await hotFeed()
    at.now += feedTiming({ freshMs: 2000, storageTimeoutMs: 1000, overlapMs: 300_000 }).freshnessBoundMs
    gate.close()
    let answered = false
    const pending = Promise.resolve(app.request('/zh/sco.atom')).then((res) => {
      answered = true
      return res
    })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(answered).toBe(false)
    gate.open()
    const res = await pending
    expect(res.status).toBe(200)
    expect(res.headers.get('age')).toBeNull()
  })
})

describe('the timing', () => {
  it('refuses a change-log retention shorter than what the snapshots stand on', () => {
    expect(() => feedTiming({ freshMs: 2000, storageTimeoutMs: 5000, overlapMs: 86_400_000 })).toThrow(
      /change-log retention/,
    )
    expect(feedTiming({ freshMs: 2000, storageTimeoutMs: 5000, overlapMs: 300_000 }).freshnessBoundMs).toBe(
      7000,
    )
  })
})
