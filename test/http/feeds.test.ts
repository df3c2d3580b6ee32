import { describe, expect, it } from 'vitest'
import type { Logger } from '../../src/ports/observability.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { appOver, sampleApp } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'

describe('GET /{locale}/{feed}.{format}', () => {
  it.each([
    ['rss', 'application/rss+xml; charset=utf-8'],
    ['atom', 'application/atom+xml; charset=utf-8'],
    ['json', 'application/feed+json; charset=utf-8'],
  ])('serves .%s as %s with the locale as Content-Language', async (format, type) => {
    const { app } = await sampleApp()
    const res = await app.request(`/uz/sco.${format}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(type)
    expect(res.headers.get('content-language')).toBe('uz-Latn')
    expect(res.headers.get('cache-control')).toBe(
      'public, max-age=300, stale-while-revalidate=600, stale-if-error=86400',
    )
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('renders once, stores every format, and serves hot hits without a storage request', async () => {
    const { app, store } = await sampleApp()
    const first = await app.request('/ru/latest.atom')
    expect(store.objects.has('rendered/latest/ru.atom')).toBe(true)
    expect(store.objects.has('rendered/latest/ru.rss')).toBe(true)
    const before = store.requests
    const second = await app.request('/ru/latest.atom')
    expect(store.requests - before).toBe(0)
    expect(await second.text()).toBe(await first.text())
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'))
  })

  it('sets Last-Modified to the newest change of the content, not the time of rendering', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/zh/sco.rss')
    const lastModified = Date.parse(res.headers.get('last-modified')!)
    expect(lastModified).toBeLessThan(Date.parse('2023-01-01T00:00:00Z'))
  })

  it.each([
    ['W/-prefixed', (etag: string) => `W/${etag}`],
    ['listed', (etag: string) => `"other", ${etag}`],
    ['wildcard', () => '*'],
  ])('answers a %s If-None-Match with 304 and the same validators', async (_name, header) => {
    const { app } = await sampleApp()
    const full = await app.request('/kk/latest.json')
    const etag = full.headers.get('etag')!
    const res = await app.request('/kk/latest.json', { headers: { 'if-none-match': header(etag) } })
    expect(res.status).toBe(304)
    expect(await res.text()).toBe('')
    for (const name of ['etag', 'last-modified', 'cache-control', 'vary', 'access-control-allow-origin']) {
      expect(res.headers.get(name)).toBe(full.headers.get(name))
    }
  })

  it('compares If-Modified-Since as a date', async () => {
    const { app } = await sampleApp()
    const full = await app.request('/kk/sco.rss')
    const lastModified = full.headers.get('last-modified')!
    expect(
      (await app.request('/kk/sco.rss', { headers: { 'if-modified-since': lastModified } })).status,
    ).toBe(304)
    const older = new Date(Date.parse(lastModified) - 1000).toUTCString()
    expect((await app.request('/kk/sco.rss', { headers: { 'if-modified-since': older } })).status).toBe(200)
  })

  it('answers HEAD without a body', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/zh/sco.json', { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
  })
})

describe('mistakes in feed URLs', () => {
  it.each([
    ['/fr/sco.rss', 'LOCALE_NOT_FOUND', 'zh, ru, kk, uz'],
    ['/ru/sports.rss', 'FEED_NOT_FOUND', 'latest, sco'],
    ['/ru/sco.xml', 'FORMAT_NOT_FOUND', 'rss, atom, json'],
    ['/ru/sco/items', 'ROUTE_NOT_FOUND', '/ru/sco/items'],
    ['/nothing/here/at/all', 'ROUTE_NOT_FOUND', '/nothing/here/at/all'],
  ])('%s is a 404 problem (%s) that names what exists', async (path, code, named) => {
    const { app } = await sampleApp()
    const res = await app.request(path)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    const problem = (await res.json()) as Record<string, unknown>
    expect(problem.code).toBe(code)
    expect(problem.status).toBe(404)
    expect(problem.detail).toContain(named)
  })

  it.each([
    ['GET', '/ru/nope.rss'],
    ['OPTIONS', '/ru/nope.rss'],
    ['PUT', '/ru/nope.rss'],
    ['GET', '/ru/nope'],
    ['GET', '/ru/nope.ninjs.json'],
    ['GET', '/ru/nope/archive/2026-01.rss'],
    ['GET', '/nope.rss'],
  ])('%s %s: the 404 names only the feeds the public can read', async (method, path) => {
    const { app } = await sampleApp()
    const res = await app.request(path, { method })
    expect(res.status).toBe(404)
    const problem = (await res.json()) as { code: string; detail: string }
    expect(problem.code).toBe('FEED_NOT_FOUND')
    expect(problem.detail).toContain('latest, sco, summaries')
    // `wire` is for partners: its 404 (FEED_PARTNERS_ONLY) says how they read it; this one does not name it.
    expect(problem.detail).not.toContain('wire')
  })

  it('writes the problem in the language the client prefers', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/fr/sco.rss', {
      headers: { 'accept-language': 'de;q=1, ru;q=0.8, en;q=0.5' },
    })
    expect(res.headers.get('content-language')).toBe('ru')
    const problem = (await res.json()) as { title: string; detail: string }
    expect(problem.detail).toMatch(/[а-я]/)
    expect(problem.detail).toContain('fr')
  })
})

describe('problem answers to browsers on other origins', () => {
  const origin = { origin: 'https://reader.example' }

  it.each([
    ['/ru/nope.rss', 404, 'FEED_NOT_FOUND'],
    ['/ru/changes?cursor=bad', 400, 'CURSOR_INVALID'],
    ['/ru/changes?wait=99', 400, 'WAIT_INVALID'],
    ['/ru/sco/archive/2026-13.rss', 400, 'ARCHIVE_MONTH_INVALID'],
    ['/nope.rss', 404, 'FEED_NOT_FOUND'],
    ['/p/not-a-key/ru/sco.rss', 401, 'PARTNER_KEY_INVALID'],
  ])('%s: its %i (%s) is readable there, as its success is', async (path, status, code) => {
    const { app } = await sampleApp()
    const res = await app.request(path, { headers: origin })
    expect(res.status).toBe(status)
    expect(((await res.json()) as { code: string }).code).toBe(code)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Request-Id')
  })

  it('a 503 exposes its Retry-After to them', async () => {
    const { app, store } = await sampleApp()
    store.down = true
    const res = await app.request('/ru/sco.rss', { headers: origin })
    expect(res.status).toBe(503)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-expose-headers')).toContain('Retry-After')
  })

  it.each([
    ['/ru/nope', 404],
    ['/p/not-a-key/', 401],
    ['/webhooks/republish', 405],
    ['/admin/partners', 401],
    ['/nothing/here/at/all', 404],
  ])('%s (not open to other origins) answers its %i without CORS', async (path, status) => {
    const { app } = await sampleApp()
    const res = await app.request(path, { headers: origin })
    expect(res.status).toBe(status)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('storage faults', () => {
  it('turn into 503 problem+json with Retry-After', async () => {
    const { app, store } = await sampleApp()
    store.down = true
    const res = await app.request('/ru/sco.rss')
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('7')
    expect(((await res.json()) as { code: string }).code).toBe('STORAGE_UNAVAILABLE')
  })
})

describe('an unexpected failure', () => {
  it('is a 500 whose problem quotes the request id of its X-Request-Id header and log line', async () => {
    const store = new MemoryObjectStore()
    await storeArticles(store, loadSamples())
    // Not a storage outage: a bug, which only the 500 and its log line tell of.
    store.get = () => Promise.reject(new TypeError('not a storage outage'))
    const lines: Record<string, unknown>[] = []
    const logger: Logger = {
      info: (message, fields) => void lines.push({ message, ...fields }),
      warn: () => {},
      error: (message, fields) => void lines.push({ message, ...fields }),
    }
    let ids = 0
    const app = appOver(store, {}, logger, {}, undefined, { newRequestId: () => `req-${++ids}` })
    const res = await app.request('/ru/sco.rss')
    expect(res.status).toBe(500)
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    const requestId = res.headers.get('x-request-id')
    expect(requestId).toMatch(/^req-\d+$/)
    const problem = (await res.json()) as { code: string; detail: string }
    expect(problem.code).toBe('INTERNAL')
    expect(problem.detail.match(/req-\d+/g)).toEqual([requestId])
    const logged = lines.filter((l) => l.requestId !== undefined).map((l) => l.requestId)
    expect(logged.length).toBeGreaterThan(0)
    expect(new Set(logged)).toEqual(new Set([requestId]))
  })
})
