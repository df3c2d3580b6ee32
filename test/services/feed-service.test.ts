import { describe, expect, it } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadCatalog, loadSamples, TEST_SETTINGS } from '../support/samples.ts'
import { appOver, serviceOver, silentLogger } from '../support/app.ts'
import { postRepublish } from '../support/webhook.ts'
import { runMaintenance } from '../../src/services/maintenance.ts'
import { KEYS } from '../../src/services/storage-keys.ts'
import { readSnapshot, writeSnapshot } from '../../src/services/snapshot-codec.ts'

const decoder = new TextDecoder()

describe('feeds stored under other settings', () => {
  it('are rendered again with the current PUBLIC_BASE_URL instead of served with the old links', async () => {
    const store = new MemoryObjectStore()
    await storeArticles(store, loadSamples())
    const catalog = loadCatalog()
    const sco = catalog.find('sco')!
    const before = serviceOver(store, {}, silentLogger, catalog, TEST_SETTINGS)
    const old = await before.getFeed(sco, 'kk', 'atom')
    expect(decoder.decode(old.bundle.variants.identity.body)).toContain(
      'href="https://feeds.silkfeed.test/kk/sco.atom"',
    )

    // The operator moves the service to a new address; the next instance reads the same bucket.
    const moved = { ...TEST_SETTINGS, publicBaseUrl: 'https://feeds.example.org' }
    const after = serviceOver(store, {}, silentLogger, catalog, moved)
    const served = await after.getFeed(sco, 'kk', 'atom')
    expect(served.outcome).toBe('rendered')
    const xml = decoder.decode(served.bundle.variants.identity.body)
    expect(xml).toContain('href="https://feeds.example.org/kk/sco.atom"')
    expect(xml).not.toContain('feeds.silkfeed.test')

    // Once stored again, a further instance with the same settings takes the stored bundle as it is.
    const again = await serviceOver(store, {}, silentLogger, catalog, moved).getFeed(sco, 'kk', 'atom')
    expect(again.outcome).toBe('miss')
    expect(again.bundle.variants.identity.etag).toBe(served.bundle.variants.identity.etag)
  })
})

describe('feed snapshots (checkpoints of the change log)', () => {
  const snapshotPuts = (store: MemoryObjectStore) => {
    const puts: string[] = []
    const put = store.put.bind(store)
    store.put = async (key, body, meta) => {
      if (key.startsWith('snapshots/')) puts.push(key)
      return put(key, body, meta)
    }
    return puts
  }

  /** An app over a store with the samples, on a clock the test moves; a sample SCO story in `locale`. */
  async function onClock(locale: 'ru' | 'kk') {
    const at = { clock: Date.parse('2026-12-01T12:00:00Z') }
    const now = () => at.clock
    const store = new MemoryObjectStore()
    await storeArticles(store, loadSamples())
    const base = loadSamples().find((a) => a.locale === locale && a.sections.includes('sco'))!
    return { at, now, store, app: appOver(store, { now }), base }
  }

  it('are stored at most once a minute, and an instance started meanwhile still sees every story', async () => {
    const { at, now, store, app, base } = await onClock('ru')
    const story = (n: number) => ({
      ...base,
      id: `checkpoint-${n}`,
      title: `${base.title} ${n}`,
      publishedAt: new Date(at.clock).toISOString(),
      updatedAt: undefined,
    })
    expect((await postRepublish(app, { upsert: [story(1)] }, { t: at.clock / 1000 })).status).toBe(200)
    const puts = snapshotPuts(store)
    at.clock += 10_000
    expect((await postRepublish(app, { upsert: [story(2)] }, { t: at.clock / 1000 })).status).toBe(200)
    expect(puts).toEqual([]) // 10 s after the last checkpoint: the change log holds story 2

    // A new instance reads the older snapshot and the change log since it.
    const cold = serviceOver(store, { now })
    const sco = cold.feeds.find('sco')!
    const xml = decoder.decode((await cold.getFeed(sco, 'ru', 'rss')).bundle.variants.identity.body)
    expect(xml).toContain('checkpoint-1')
    expect(xml).toContain('checkpoint-2')

    at.clock += 60_000
    expect((await postRepublish(app, { upsert: [story(3)] }, { t: at.clock / 1000 })).status).toBe(200)
    expect(puts).toContain(KEYS.snapshot('sco', 'ru'))
    const stored = JSON.parse(decoder.decode(store.objects.get(KEYS.snapshot('sco', 'ru'))!.body)) as {
      items: { id: string }[]
    }
    expect(stored.items.map((a) => a.id)).toEqual(expect.arrayContaining(['checkpoint-2', 'checkpoint-3']))
  })

  it('are stored again by maintenance before the change log they stand on expires', async () => {
    const { at, now, store, app, base } = await onClock('kk')
    const first = {
      ...base,
      id: 'kept-1',
      publishedAt: new Date(at.clock).toISOString(),
      updatedAt: undefined,
    }
    expect((await postRepublish(app, { upsert: [first] }, { t: at.clock / 1000 })).status).toBe(200)
    at.clock += 5_000
    const second = { ...first, id: 'kept-2', publishedAt: new Date(at.clock).toISOString() }
    expect((await postRepublish(app, { upsert: [second] }, { t: at.clock / 1000 })).status).toBe(200)

    // Two hours on, with a one-hour log: maintenance checkpoints first, then trims the log.
    at.clock += 2 * 3_600_000
    const service = serviceOver(store, { now })
    const report = await runMaintenance(store, service, {
      now: at.clock,
      idempotencyMs: 3_600_000,
      changeLogMs: 3_600_000,
    })
    expect(report.changesDeleted).toBeGreaterThan(0)
    expect(report.feedsRerendered).toBeGreaterThan(0)
    expect(await store.list(KEYS.log)).toEqual([])

    const cold = serviceOver(store, { now })
    const xml = decoder.decode(
      (await cold.getFeed(cold.feeds.find('sco')!, 'kk', 'atom')).bundle.variants.identity.body,
    )
    expect(xml).toContain('kept-1')
    expect(xml).toContain('kept-2')
  })
})

describe('a stored snapshot', () => {
  it('reads back as it was written, its records made JSON once each', async () => {
    const store = new MemoryObjectStore()
    const items = loadSamples().filter((a) => a.locale === 'kk')
    const snapshot = {
      items,
      tombstones: [{ id: 'pulled', at: '2026-12-01T10:00:00.000Z', derived: true }],
      applied: ['log/001764583200000-a.json'],
      complete: false,
      listedAt: 1_764_583_200_000,
    }
    await writeSnapshot(store, 'sco', 'kk', snapshot)
    expect(await readSnapshot(store, 'sco', 'kk')).toEqual(snapshot)
    const empty = { items: [], tombstones: [], applied: [], complete: true, listedAt: 0 }
    await writeSnapshot(store, 'latest', 'kk', empty)
    expect(await readSnapshot(store, 'latest', 'kk')).toEqual(empty)
  })
})
