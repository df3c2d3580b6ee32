import { describe, expect, it } from 'vitest'
import { EdgeCachedObjectStore, type EdgeCache } from '../../src/storage/edge-cached-object-store.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'

// The Workers Cache API tier, against workerd's real `caches.default`. Two decorators over one store
// stand for two isolates of one data centre; the store counts what reaches it.

const cache = (globalThis as unknown as { caches: { default: EdgeCache } }).caches.default
const bytes = (text: string) => new TextEncoder().encode(text)
const meta = { contentType: 'application/vnd.silkfeed.bundle', metadata: { 'item-count': '3' } }

describe('the edge cache tier (Workers Cache API)', () => {
  it('answers a second isolate from the data centre cache, with no storage request', async () => {
    const store = new MemoryObjectStore()
    const key = `rendered/test-${crypto.randomUUID()}/kk.atom`
    await store.put(key, bytes('v1'), meta)
    const options = { ttlSeconds: 5, prefixes: ['rendered/'] }
    const first = new EdgeCachedObjectStore(store, cache, options)
    const second = new EdgeCachedObjectStore(store, cache, options)

    store.requests = 0
    const a = await first.get(key)
    expect(store.requests).toBe(1)
    const b = await second.get(key)
    expect(store.requests).toBe(1)
    expect(new TextDecoder().decode(b!.body)).toBe('v1')
    expect(b!.etag).toBe(a!.etag)
    expect(b!.metadata).toEqual({ 'item-count': '3' })
    expect(b!.contentType).toBe(meta.contentType)
    // A revalidation with the current ETag is answered by the cache too.
    expect(await second.getIfChanged(key, a!.etag)).toBe('unchanged')
    expect(store.requests).toBe(1)
  })

  it('shows a write to every isolate of the data centre at once', async () => {
    const store = new MemoryObjectStore()
    const key = `rendered/test-${crypto.randomUUID()}/uz.json`
    const options = { ttlSeconds: 5, prefixes: ['rendered/'] }
    const writer = new EdgeCachedObjectStore(store, cache, options)
    const reader = new EdgeCachedObjectStore(store, cache, options)
    await writer.put(key, bytes('v1'), meta)
    const v1 = await reader.get(key)
    const { etag } = await writer.put(key, bytes('v2'), meta)
    store.requests = 0
    const changed = await reader.getIfChanged(key, v1!.etag)
    expect(changed).not.toBe('unchanged')
    expect(new TextDecoder().decode((changed as { body: Uint8Array }).body)).toBe('v2')
    expect((changed as { etag: string }).etag).toBe(etag)
    expect(store.requests).toBe(0)
  })

  it('keeps the copies of different stores apart (staging and production share a zone cache)', async () => {
    const key = `rendered/test-${crypto.randomUUID()}/ru.rss`
    const production = new MemoryObjectStore()
    const staging = new MemoryObjectStore()
    await production.put(key, bytes('production'), meta)
    await staging.put(key, bytes('staging'), meta)
    const prefixes = ['rendered/']
    const prod = new EdgeCachedObjectStore(production, cache, {
      ttlSeconds: 5,
      prefixes,
      namespace: 'r2/prod',
    })
    const stage = new EdgeCachedObjectStore(staging, cache, {
      ttlSeconds: 5,
      prefixes,
      namespace: 'r2/staging',
    })
    expect(new TextDecoder().decode((await prod.get(key))!.body)).toBe('production')
    expect(new TextDecoder().decode((await stage.get(key))!.body)).toBe('staging')
  })

  it('passes everything else straight to storage', async () => {
    const store = new MemoryObjectStore()
    const tier = new EdgeCachedObjectStore(store, cache, { ttlSeconds: 5, prefixes: ['rendered/'] })
    const key = `articles/kk/${crypto.randomUUID()}/1.json`
    await tier.put(key, bytes('{}'), { contentType: 'application/json' })
    store.requests = 0
    await tier.get(key)
    await tier.get(key)
    expect(store.requests).toBe(2)
  })
})
