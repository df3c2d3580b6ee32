import { KEYS } from '../../src/services/storage-keys.ts'
import { describe, expect, it } from 'vitest'
import { DERIVATION_VERSION } from '../../src/domain/derive.ts'
import type { ObjectStore } from '../../src/ports/object-store.ts'
import { runMaintenance } from '../../src/services/maintenance.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { LimitedObjectStore, StorageLimiter } from '../../src/storage/limited-object-store.ts'
import { appOver, sampleApp, serviceOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A store whose every request takes a moment, as over a network; `done` counts those finished. */
function slowStore(inner: ObjectStore, done: () => void = () => {}): ObjectStore {
  const slow =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await pause(1)
      const result = await call(...args)
      done()
      return result
    }
  return {
    get: slow((key) => inner.get(key)),
    getIfChanged: slow((key, etag) => inner.getIfChanged(key, etag)),
    put: slow((key, body, meta) => inner.put(key, body, meta)),
    list: slow((prefix, options) => inner.list(prefix, options)),
    delete: slow((keys) => inner.delete(keys)),
    ping: slow(() => inner.ping()),
  }
}

describe('maintenance', () => {
  it('reads every stored record of a store no run has derived yet without holding up a webhook or a reader', async () => {
    const memory = new MemoryObjectStore()
    const stories = Array.from({ length: 300 }, (_, n) => ({
      id: `kk-${n}`,
      locale: 'kk' as const,
      title: `Жаңалық ${n}`,
      url: `https://news.silkfeed.dev/kk/kk-${n}`,
      publishedAt: '2026-11-01T00:00:00Z',
      sections: ['economy'],
    }))
    await storeArticles(memory, [...loadSamples(), ...stories])
    await memory.delete([KEYS.derivationDone(DERIVATION_VERSION)])
    const limited = new LimitedObjectStore(slowStore(memory), new StorageLimiter(4))
    const app = appOver(limited, { requestStore: () => limited.withPriority('bulk') })
    let maintained = 0
    const maintenanceStore = slowStore(limited.withPriority('background'), () => maintained++)
    const run = runMaintenance(maintenanceStore, serviceOver(limited), {
      now: Date.now(),
      idempotencyMs: 3_600_000,
      changeLogMs: 3_600_000,
    })
    while (maintained < 40) await pause(1)

    // An editor's webhook and a reader's feed while the scan has hundreds of reads to go.
    const [story] = loadSamples().filter((a) => a.locale === 'ru')
    let before = maintained
    const answer = await postRepublish(app, {
      upsert: [{ ...story!, title: 'Исправлено', updatedAt: '2026-12-01T00:00:00Z' }],
    })
    expect(answer.status).toBe(200)
    const duringWebhook = maintained - before
    before = maintained
    expect((await app.request('/kk/latest.json')).status).toBe(200)
    const duringRead = maintained - before

    expect((await run).variantsRederived).toBe(0)
    // Each waited at most for the scan's requests in flight as its own turns came, never for its queue.
    expect(maintained).toBeGreaterThan(500)
    expect(duringWebhook).toBeLessThan(maintained / 4)
    expect(duringRead).toBeLessThan(maintained / 4)
  })

  it('forgets old idempotency records and change-log entries, and keeps recent ones', async () => {
    const { app, store } = await sampleApp()
    const [story] = loadSamples()
    await postRepublish(
      app,
      { upsert: [{ ...story!, updatedAt: '2026-11-24T00:00:00Z' }] },
      { headers: { 'idempotency-key': 'k1' } },
    )
    const now = Date.now()
    const service = serviceOver(store)
    const kept = await runMaintenance(store, service, {
      now,
      idempotencyMs: 3_600_000,
      changeLogMs: 3_600_000,
    })
    expect(kept).toEqual({
      idempotencyDeleted: 0,
      changesDeleted: 0,
      feedsRerendered: 0,
      variantsRederived: 0,
    })
    const later = await runMaintenance(store, service, {
      now: now + 7_200_000,
      idempotencyMs: 3_600_000,
      changeLogMs: 3_600_000,
    })
    expect(later.idempotencyDeleted).toBe(1)
    // One log entry per republish: the story's change and its derived script variant's, if any.
    expect(later.changesDeleted).toBe(1)
    expect(await store.list(KEYS.log)).toEqual([])
    expect(await store.list('idempotency/')).toEqual([])
  })

  it('re-renders feeds whose tombstones expired, so the tombstone leaves the feed', async () => {
    const { app, store } = await sampleApp()
    const [story] = loadSamples().filter((a) => a.sections.includes('sco'))
    await postRepublish(app, { retract: [{ id: story!.id, locale: 'ru' }] })
    expect(await (await app.request('/ru/sco.atom')).text()).toContain('at:deleted-entry')
    const service = serviceOver(store, { tombstoneMs: 1000, now: () => Date.now() + 5000 })
    const report = await runMaintenance(store, service, {
      now: Date.now() + 5000,
      idempotencyMs: 1,
      changeLogMs: 86_400_000,
    })
    expect(report.feedsRerendered).toBe(4) // latest, sco, summaries and the partners-only wire
    const fresh = serviceOver(store, { tombstoneMs: 1000 })
    const bundle = await fresh.getFeed(fresh.feeds.find('sco')!, 'ru', 'atom')
    expect(new TextDecoder().decode(bundle.bundle.variants.identity.body)).not.toContain('at:deleted-entry')
  })

  it('deletes what is left of the per-locale change logs of earlier releases once it is old', async () => {
    const { store } = await sampleApp()
    const now = Date.now()
    const body = new TextEncoder().encode('{"type":"retract"}')
    const legacy = (ms: number) => `changes/kk/${String(ms).padStart(15, '0')}-legacy.json`
    await store.put(legacy(now - 7_200_000), body, { contentType: 'application/json' })
    await store.put(legacy(now), body, { contentType: 'application/json' })
    const report = await runMaintenance(store, serviceOver(store), {
      now,
      idempotencyMs: 3_600_000,
      changeLogMs: 3_600_000,
    })
    expect(report.changesDeleted).toBe(1)
    expect(await store.list('changes/')).toEqual([legacy(now)])
  })
})
