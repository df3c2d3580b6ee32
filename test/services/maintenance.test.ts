import { KEYS } from '../../src/services/storage-keys.ts'
import { describe, expect, it } from 'vitest'
import { runMaintenance } from '../../src/services/maintenance.ts'
import { sampleApp, serviceOver } from '../support/app.ts'
import { loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

describe('maintenance', () => {
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
