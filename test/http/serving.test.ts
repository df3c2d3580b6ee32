import { LOCALES } from '../../src/domain/locale.ts'
import { gunzipSync, brotliDecompressSync } from 'node:zlib'
import { describe, expect, it, vi } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { StorageUnavailableError, type StoredObject } from '../../src/ports/object-store.ts'
import { appOver, sampleApp, serviceOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'

async function seededStore() {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  return store
}

describe('precompressed variants', () => {
  it('serves gzip and brotli that decompress to the identity bytes, each with its own ETag', async () => {
    const { app } = await sampleApp()
    const identity = await app.request('/ru/latest.rss', { headers: { 'accept-encoding': 'identity' } })
    const gzip = await app.request('/ru/latest.rss', { headers: { 'accept-encoding': 'gzip' } })
    const br = await app.request('/ru/latest.rss', { headers: { 'accept-encoding': 'br, gzip' } })
    const plain = Buffer.from(await identity.arrayBuffer())
    expect(identity.headers.get('content-encoding')).toBeNull()
    expect(gzip.headers.get('content-encoding')).toBe('gzip')
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer()))).toEqual(plain)
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer()))).toEqual(plain)
    const etags = new Set([identity, gzip, br].map((r) => r.headers.get('etag')))
    expect(etags.size).toBe(3)
    for (const res of [identity, gzip, br])
      expect(res.headers.get('vary')).toBe('Accept-Encoding, Authorization')
  })

  it('honours q=0 for gzip', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/zh/sco.atom', { headers: { 'accept-encoding': 'gzip;q=0, br;q=0' } })
    expect(res.headers.get('content-encoding')).toBeNull()
  })

  it('answers a weakened (W/) gzip ETag with 304 and the gzip headers', async () => {
    const { app } = await sampleApp()
    const full = await app.request('/kk/sco.json', { headers: { 'accept-encoding': 'gzip' } })
    const res = await app.request('/kk/sco.json', {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': `W/${full.headers.get('etag')}` },
    })
    expect(res.status).toBe(304)
    for (const name of ['etag', 'last-modified', 'cache-control', 'vary', 'access-control-allow-origin']) {
      expect(res.headers.get(name)).toBe(full.headers.get(name))
    }
  })

  it('ignores If-Modified-Since when If-None-Match is present', async () => {
    const { app } = await sampleApp()
    const full = await app.request('/uz/sco.rss')
    const res = await app.request('/uz/sco.rss', {
      headers: {
        'if-none-match': '"something-else"',
        'if-modified-since': full.headers.get('last-modified')!,
      },
    })
    expect(res.status).toBe(200)
  })

  it('answers a stale If-Modified-Since with the full feed', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/uz/sco.rss', {
      headers: { 'if-modified-since': 'Sat, 01 Jan 2022 00:00:00 GMT' },
    })
    expect(res.status).toBe(200)
  })
})

describe('deterministic rendering', () => {
  it('gives the same bytes and ETag on two independent instances', async () => {
    const a = appOver(await seededStore())
    const b = appOver(await seededStore())
    for (const path of ['/zh/latest.rss', '/ru/sco.atom', '/kk/latest.json']) {
      const [ra, rb] = [await a.request(path), await b.request(path)]
      expect(ra.headers.get('etag')).toBe(rb.headers.get('etag'))
      expect(await ra.text()).toBe(await rb.text())
    }
  })
})

describe('the hot cache', () => {
  it('serves fresh hits without storage and revalidates with one conditional read afterwards', async () => {
    let now = 1_000_000
    const store = await seededStore()
    const app = appOver(store, { now: () => now, freshMs: 2000 })
    await app.request('/ru/sco.rss')
    const before = store.requests
    for (let i = 0; i < 50; i++) await app.request('/ru/sco.rss')
    expect(store.requests - before).toBe(0)
    now += 2001
    await app.request('/ru/sco.rss')
    expect(store.requests - before).toBe(1)
  })

  it('picks up a feed another instance re-rendered within the staleness bound', async () => {
    let now = 1_000_000
    const store = await seededStore()
    const reader = appOver(store, { now: () => now, freshMs: 2000 })
    const first = await reader.request('/zh/sco.atom')
    // Another instance changes a story and re-renders.
    const [story] = loadSamples().filter((a) => a.locale === 'zh' && a.sections.includes('sco'))
    const writer = serviceOver(store)
    const corrected = { ...story!, title: '更正后的标题', updatedAt: '2026-01-01T00:00:00+08:00' }
    await writer.articles.putVersion(corrected)
    await writer.changeLog.append([{ type: 'upsert', record: corrected }])
    await writer.renderAndStore(writer.feeds.find('sco')!, 'zh')
    expect((await reader.request('/zh/sco.atom')).headers.get('etag')).toBe(first.headers.get('etag'))
    // Expired: the copy in hand is served, with its age, while one refresh runs beside it.
    now += 2001
    const during = await reader.request('/zh/sco.atom')
    expect(during.headers.get('etag')).toBe(first.headers.get('etag'))
    expect(during.headers.get('age')).toBe('2')
    await vi.waitFor(async () => {
      const after = await reader.request('/zh/sco.atom')
      expect(after.headers.get('etag')).not.toBe(first.headers.get('etag'))
      expect(await after.text()).toContain('更正后的标题')
    })
  })

  it('turns 20 concurrent cold requests into one storage read and one render', async () => {
    const store = await seededStore()
    const gets: string[] = []
    const puts: string[] = []
    const get = store.get.bind(store)
    const put = store.put.bind(store)
    store.get = (key: string) => (gets.push(key), get(key))
    store.put = (key, body, meta) => (puts.push(key), put(key, body, meta))
    const app = appOver(store)
    const responses = await Promise.all(
      Array.from({ length: 20 }, async () => app.request('/kk/latest.atom')),
    )
    expect(new Set(responses.map((r) => r.headers.get('etag'))).size).toBe(1)
    expect(gets.filter((k) => k === 'rendered/latest/kk.atom')).toHaveLength(1)
    // One render: the feed in every locale (items link their translations) and every format.
    expect(puts.filter((k) => k.startsWith('rendered/'))).toHaveLength(LOCALES.length * 3)
    expect(new Set(puts.filter((k) => k.startsWith('rendered/'))).size).toBe(LOCALES.length * 3)
  })

  it('serves a stale copy when storage is slower than the timeout, without waiting for it', async () => {
    let now = 1_000_000
    const store = await seededStore()
    const app = appOver(store, { now: () => now, freshMs: 1000, storageTimeoutMs: 50 })
    const first = await app.request('/uz/latest.json')
    now += 5000
    store.getIfChanged = () => new Promise<StoredObject | null | 'unchanged'>(() => {})
    // Storage never answers: without the timeout this request would hang until the test times out.
    const res = await app.request('/uz/latest.json')
    expect(res.status).toBe(200)
    expect(res.headers.get('age')).toBe('5')
    expect(res.headers.get('etag')).toBe(first.headers.get('etag'))
  })

  it('stops serving stale copies after stale-if-error', async () => {
    let now = 1_000_000
    const store = await seededStore()
    const app = appOver(store, { now: () => now })
    await app.request('/uz/latest.json')
    // All of storage is down (a read error on one key alone is damage, rebuilt from the records).
    const down = () => Promise.reject(new StorageUnavailableError('down'))
    store.getIfChanged = down
    store.get = down
    store.list = down
    store.put = down
    now += 86_400_000 + 1000
    const res = await app.request('/uz/latest.json')
    expect(res.status).toBe(503)
  })
})
