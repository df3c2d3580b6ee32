import type { Server } from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Logger } from '../../src/ports/observability.ts'
import { PartnerRegistry } from '../../src/services/partner-registry.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { ADMIN_SECRET, adminRequest, createPartner } from '../support/admin.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'
import { httpGet, serveWithHotFront, type Raw } from '../support/node-front.ts'

// The Node entry answers a partner's hot keyed feed straight from node:http, like a public hot feed:
// no storage request, the same answer as the app's, and a revocation still stops it within
// HOT_CACHE_MS. Over real HTTP a partner must not be able to tell which path answered.

const FRESH_MS = 2000
let clock: number
let store: MemoryObjectStore
let lines: Record<string, unknown>[]
let server: Server
let port: number

const logger: Logger = {
  info: (message, fields) => lines.push({ message, ...fields }),
  warn: (message, fields) => lines.push({ message, ...fields }),
  error: (message, fields) => lines.push({ message, ...fields }),
}

/** An instance over the shared store, with its own key index (as each Node process or isolate has). */
function instance() {
  const registry = new PartnerRegistry(store, {
    now: () => clock,
    freshMs: FRESH_MS,
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
  })
  return appOver(store, { now: () => clock }, logger, {}, undefined, {
    partners: registry,
    adminSecrets: [ADMIN_SECRET],
  })
}

let app: ReturnType<typeof instance>

beforeEach(async () => {
  clock = Date.now()
  lines = []
  store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  app = instance()
  ;({ server, port } = await serveWithHotFront(app))
})

afterEach(() => new Promise((resolve) => server.close(resolve)))

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  httpGet(port, path, headers, method)

/** Headers a client compares between two answers: not the date, request id or the quota left. */
const comparable = ({ headers }: Raw) => {
  const { date: _date, 'x-request-id': _id, ratelimit: _left, ...rest } = headers
  return rest
}

const partnerLines = () => lines.filter((l) => l.message === 'request' && l.partner !== undefined)

describe("a partner's hot keyed feed on Node", () => {
  it.each([['identity'], ['gzip']])(
    'is answered (%s) without a storage request, with the bytes and headers of the app',
    async (coding) => {
      const { id, key } = await createPartner(app, { name: 'Steppe', feeds: ['wire'], fullText: true })
      const path = `/p/${key}/ru/wire.atom`
      const routed = await get(path, { 'accept-encoding': coding })
      expect(routed.status).toBe(200)
      const reads = store.requests
      const hot = await get(path, { 'accept-encoding': coding })
      expect(store.requests).toBe(reads)
      expect(hot.status).toBe(200)
      expect(comparable(hot)).toEqual(comparable(routed))
      expect(hot.body).toEqual(routed.body)
      expect(hot.headers['cache-control']).toMatch(/^private/)
      expect(hot.headers['content-length']).toBe(String(hot.body.byteLength))
      // The hot front answers it by itself, before any Request is made.
      const direct = { method: 'GET', path, cfRay: undefined, ifNoneMatch: undefined }
      expect(app.front({ ...direct, ifModifiedSince: undefined, acceptEncoding: coding })?.status).toBe(200)
      // Both answers counted against the quota, one after the other.
      const left = (r: Raw) => Number(/r=(\d+)/.exec(String(r.headers.ratelimit))![1])
      expect(left(hot)).toBe(left(routed) - 1)
      expect(store.requests).toBe(reads)
      // Logged and counted as the app does: the partner id, the path without the key.
      const logged = partnerLines()
      expect(logged.at(-1)).toMatchObject({ partner: id, path: '/p/{key}/ru/wire.atom', status: 200 })
      expect(JSON.stringify(lines)).not.toContain(key)
    },
  )

  it('answers 304 and HEAD from memory as the app does', async () => {
    const { key } = await createPartner(app, { name: 'Steppe', feeds: ['sco'], fullText: true })
    const path = `/p/${key}/kk/sco.json`
    const ok = await get(path)
    const reads = store.requests
    const notModified = await get(path, { 'if-none-match': String(ok.headers.etag) })
    const head = await get(path, {}, 'HEAD')
    expect(store.requests).toBe(reads)
    expect(notModified.status).toBe(304)
    expect(notModified.headers['cache-control']).toBe(ok.headers['cache-control'])
    expect(head.status).toBe(200)
    expect(head.body.byteLength).toBe(0)
    expect(head.headers.etag).toBe(ok.headers.etag)
  })

  it('stops answering a revoked key within HOT_CACHE_MS: then the one 401 of every unknown key', async () => {
    const { id, key } = await createPartner(app, { name: 'Steppe', feeds: ['sco'] })
    const path = `/p/${key}/ru/sco.rss`
    expect((await get(path)).status).toBe(200)
    expect((await get(path)).status).toBe(200) // hot
    // Another instance revokes the key: this one's index is at most FRESH_MS old.
    const other = instance()
    expect((await adminRequest(other, 'POST', `/admin/partners/${id}/revoke`, {})).status).toBe(200)
    clock += FRESH_MS
    const revoked = await get(path)
    const never = await get(`/p/sf_${'A'.repeat(43)}/ru/sco.rss`)
    expect(revoked.status).toBe(401)
    expect(revoked.body.toString()).toBe(never.body.toString())
  })

  it('relists the keys ahead of time while a key is read, so a revocation may reach it sooner', async () => {
    const { id, key } = await createPartner(app, { name: 'Steppe', feeds: ['sco'] })
    const path = `/p/${key}/ru/sco.rss`
    expect((await get(path)).status).toBe(200)
    const other = instance()
    expect((await adminRequest(other, 'POST', `/admin/partners/${id}/revoke`, {})).status).toBe(200)
    clock += FRESH_MS * 0.8
    // Still within HOT_CACHE_MS of the last listing: answered, and the next listing starts meanwhile.
    const reads = store.requests
    expect((await get(path)).status).toBe(200)
    expect(store.requests).toBeGreaterThan(reads)
    expect((await get(path)).status).toBe(401)
  })

  it('leaves a feed outside the agreement and a spent quota to the app (403, then 429)', async () => {
    const { key } = await createPartner(app, { name: 'Steppe', feeds: ['sco'], locales: ['ru'], quota: 3 })
    const path = `/p/${key}/ru/sco.rss`
    expect((await get(path)).status).toBe(200)
    expect((await get(path)).status).toBe(200) // hot
    // A refused read counts against the quota too, as every request of the key does.
    const forbidden = await get(`/p/${key}/kk/sco.rss`)
    expect(forbidden.status).toBe(403)
    const over = await get(path)
    expect(over.status).toBe(429)
    expect(over.headers['retry-after']).toMatch(/^\d+$/)
    expect(over.headers['content-type']).toBe('application/problem+json; charset=utf-8')
  })

  it('serves each partner its own audience from the shared renderings', async () => {
    const full = await createPartner(app, { name: 'Full', feeds: ['latest'], fullText: true })
    const excerpt = await createPartner(app, { name: 'Excerpt', feeds: ['latest'] })
    const read = async (key: string) => {
      await get(`/p/${key}/ru/latest.json`)
      const hot = await get(`/p/${key}/ru/latest.json`)
      return JSON.parse(hot.body.toString()) as { items: { content_html?: string }[] }
    }
    const fullItems = (await read(full.key)).items
    const excerptItems = (await read(excerpt.key)).items
    expect(fullItems.length).toBeGreaterThan(0)
    expect(fullItems.every((i) => i.content_html !== undefined)).toBe(true)
    expect(excerptItems.every((i) => i.content_html === undefined)).toBe(true)
  })
})
