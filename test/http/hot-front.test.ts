import { createAppCaches } from '../../src/http/caches.ts'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.ts'
import { createHotFront, plainRequests, type HotRequest } from '../../src/http/hot-front.ts'
import { PrometheusTelemetry } from '../../src/http/prometheus.ts'
import { answerResponse } from '../../src/http/representation.ts'
import type { Logger } from '../../src/ports/observability.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { HubNotifier } from '../../src/services/websub.ts'
import { serviceOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples, TEST_SETTINGS } from '../support/samples.ts'

// The Node entry answers hot feeds with the pipeline's front (src/http/hot-front.ts) before Hono's
// router. What a client and an operator see must not tell the front from the app.

/** A fetch Request as the front reads it (the Node entry reads node:http's request the same way). */
function hotRequestOf(request: Request): HotRequest {
  const url = new URL(request.url)
  const raw = request.url.slice(request.url.indexOf('/', 8))
  return {
    method: request.method,
    path: raw.includes('?') || raw.includes('%') ? undefined : url.pathname,
    cfRay: request.headers.get('cf-ray') ?? undefined,
    ifNoneMatch: request.headers.get('if-none-match') ?? undefined,
    ifModifiedSince: request.headers.get('if-modified-since') ?? undefined,
    acceptEncoding: request.headers.get('accept-encoding') ?? undefined,
  }
}

/** The app, with its front before it, as the Node entry wires them. */
function fronted(app: Awaited<ReturnType<typeof wiredApp>>['app']) {
  return {
    async request(path: string, init: RequestInit = {}): Promise<Response> {
      const request = new Request(`http://localhost${path}`, init)
      const answer = app.front(hotRequestOf(request))
      return answer ? answerResponse(answer) : app.request(request)
    },
  }
}

async function wiredApp() {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  const lines: Record<string, unknown>[] = []
  const logger: Logger = {
    info: (message, fields) => void lines.push({ message, ...fields }),
    warn: () => {},
    error: () => {},
  }
  const telemetry = new PrometheusTelemetry()
  const feeds = serviceOver(store, { freshMs: 60_000, telemetry }, logger)
  let ids = 0
  const app = createApp({
    feeds,
    publish: feeds.publishService(Date.now),
    hubs: new HubNotifier({ hubs: [], logger, attempts: 1, backoffMs: 1, timeoutMs: 100 }),
    webhook: { secrets: ['hot-feeds-secret-0123456789'], maxBytes: 64 * 1024 },
    publicBaseUrl: TEST_SETTINGS.publicBaseUrl,
    store,
    logger,
    now: Date.now,
    newRequestId: () => `req-${++ids}`,
    retryAfterSeconds: 7,
    caches: createAppCaches(),
    telemetry,
    metrics: { render: () => telemetry.render() },
  })
  return { app, store, lines, telemetry, feeds }
}

function withoutRequestId(res: Response): Record<string, string> {
  const headers: Record<string, string> = {}
  res.headers.forEach((value, name) => {
    if (name !== 'x-request-id') headers[name] = value
  })
  return headers
}

describe('a hot feed', () => {
  it.each([
    ['identity', { 'accept-encoding': 'identity' }],
    ['gzip', { 'accept-encoding': 'gzip' }],
    ['brotli', { 'accept-encoding': 'br, gzip' }],
  ])('is answered (%s) with the same status, headers and bytes as by the route', async (_, headers) => {
    const { app: wired, store } = await wiredApp()
    const app = fronted(wired)
    const routed = await app.request('/ru/sco.rss', { headers })
    const readsAfterFirst = store.requests
    const hot = await app.request('/ru/sco.rss', { headers })
    expect(store.requests).toBe(readsAfterFirst) // the hit asked storage nothing
    expect(hot.status).toBe(routed.status)
    expect(withoutRequestId(hot)).toEqual(withoutRequestId(routed))
    expect(new Uint8Array(await hot.arrayBuffer())).toEqual(new Uint8Array(await routed.arrayBuffer()))
    expect(hot.headers.get('x-request-id')).toBe('req-2')
  })

  it('answers If-None-Match with 304 and the same headers as its 200', async () => {
    const app = fronted((await wiredApp()).app)
    const ok = await app.request('/kk/latest.json')
    const etag = ok.headers.get('etag')!
    const notModified = await app.request('/kk/latest.json', { headers: { 'if-none-match': `W/${etag}` } })
    expect(notModified.status).toBe(304)
    expect(await notModified.text()).toBe('')
    const cacheHeaders = ['etag', 'cache-control', 'last-modified', 'vary', 'access-control-allow-origin']
    for (const name of cacheHeaders) expect(notModified.headers.get(name), name).toBe(ok.headers.get(name))
    for (const name of ['content-type', 'content-encoding', 'content-length', 'content-language']) {
      expect(notModified.headers.get(name), name).toBeNull()
    }
  })

  it('answers HEAD like GET, without a body', async () => {
    const app = fronted((await wiredApp()).app)
    const get = await app.request('/zh/sco.atom')
    const head = await app.request('/zh/sco.atom', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'))
    expect(await head.text()).toBe('')
  })

  it('writes the same request log line and metrics as a routed request', async () => {
    const { app: wired, lines, telemetry } = await wiredApp()
    const app = fronted(wired)
    await app.request('/uz/sco.rss')
    await app.request('/uz/sco.rss', { method: 'HEAD' })
    const etag = (await app.request('/uz/sco.rss')).headers.get('etag')!
    await app.request('/uz/sco.rss', { headers: { 'if-none-match': etag } })
    const requests = lines.filter((l) => l.message === 'request')
    expect(requests.map((r) => [r.method, r.status, r.cache])).toEqual([
      ['GET', 200, 'rendered'],
      ['HEAD', 200, 'hit'],
      ['GET', 200, 'hit'],
      ['GET', 304, 'hit'],
    ])
    expect(Object.keys(requests[1]!)).toEqual(Object.keys(requests[0]!))
    expect(requests[2]).toMatchObject({ path: '/uz/sco.rss', bytes: requests[0]!.bytes, requestId: 'req-3' })
    expect(requests[1]).toMatchObject({ bytes: 0 })
    expect(requests[3]).toMatchObject({ bytes: 0 })
    const metrics = telemetry.render()
    expect(metrics).toContain(
      'silkfeed_http_requests_total{route="/{locale}/{feed}.{format}",status="200"} 3',
    )
    expect(metrics).toContain(
      'silkfeed_http_requests_total{route="/{locale}/{feed}.{format}",status="304"} 1',
    )
    expect(metrics).toContain('silkfeed_http_request_seconds_count{route="/{locale}/{feed}.{format}"} 4')
    expect(metrics).toContain('silkfeed_feed_cache_total{outcome="hit"} 3')
  })

  it('gives each answer its own request id, the answers before it keeping theirs', async () => {
    const { app } = await wiredApp()
    await fronted(app).request('/ru/sco.json')
    const ask = (headers: Partial<HotRequest>) =>
      app.front({ ...hotRequestOf(new Request('http://x/ru/sco.json')), ...headers })!
    const etag = answerResponse(ask({})).headers.get('etag')!
    const answers = [ask({}), ask({ method: 'HEAD' }), ask({ ifNoneMatch: etag }), ask({})]
    const ids = answers.map((a) => answerResponse(a).headers.get('x-request-id'))
    expect(new Set(ids).size).toBe(4)
    expect(answers.map((a) => a.status)).toEqual([200, 200, 304, 200])
    expect(answers.map((a) => a.rawHeaders.filter((h) => h === 'x-request-id').length)).toEqual([1, 1, 1, 1])
  })

  it('takes Cloudflare’s cf-ray as the request id', async () => {
    const app = fronted((await wiredApp()).app)
    await app.request('/ru/sco.json')
    const hot = await app.request('/ru/sco.json', { headers: { 'cf-ray': '8a1b2c3d4e5f-AMS' } })
    expect(hot.headers.get('x-request-id')).toBe('8a1b2c3d4e5f-AMS')
  })
})

describe('what the hot front leaves to the app', () => {
  it('leaves unknown feeds, locales and formats to the app, which says what exists', async () => {
    const app = fronted((await wiredApp()).app)
    for (const path of ['/ru/nope.rss', '/xx/sco.rss', '/ru/sco.txt', '/ru/sco.rss/']) {
      const res = await app.request(path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type'), path).toBe('application/problem+json; charset=utf-8')
    }
  })

  it('leaves queries and percent-encoded paths to the route, which answers them alike', async () => {
    const app = fronted((await wiredApp()).app)
    const plain = await app.request('/ru/sco.rss')
    for (const path of ['/ru/sco.rss?utm=x', '/ru/sc%6F.rss']) {
      const res = await app.request(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('etag'), path).toBe(plain.headers.get('etag'))
    }
    const { feeds } = await wiredApp()
    const hot = createHotFront({ feeds, now: Date.now, requestIdFor: () => 'id', record: () => {} })
    await feeds.getFeed(feeds.feeds.find('sco')!, 'ru', 'rss')
    expect(hot(hotRequestOf(new Request('http://x/ru/sco.rss')))?.status).toBe(200)
    expect(hot(hotRequestOf(new Request('http://x/ru/sco.rss?utm=x')))).toBeUndefined()
    expect(hot(hotRequestOf(new Request('http://x/ru/sc%6F.rss')))).toBeUndefined()
    expect(hot(hotRequestOf(new Request('http://x/ru/sco.rss', { method: 'POST' })))).toBeUndefined()
  })

  it('leaves feeds that are not hot to the route, which asks storage', async () => {
    const { app: wired, store } = await wiredApp()
    const app = fronted(wired)
    await app.request('/ru/sco.rss')
    const before = store.requests
    const other = await app.request('/ru/latest.rss')
    expect(other.status).toBe(200)
    expect(store.requests).toBeGreaterThan(before)
  })
})

describe('request ids', () => {
  it('are distinct within a process and between processes', async () => {
    const { requestIdsFrom } = await import('../../src/http/request-log.ts')
    const a = requestIdsFrom('a1b2c3')
    const b = requestIdsFrom('d4e5f6')
    const ids = [...Array.from({ length: 1000 }, a), ...Array.from({ length: 1000 }, b)]
    expect(new Set(ids).size).toBe(2000)
    expect(ids[0]).toMatch(/^a1b2c3-[0-9a-z]+$/)
  })
})

describe('requests plain enough for the hot front', () => {
  it('are judged by their Host and framing alike, whatever request came before', () => {
    const host = fc.constantFrom(
      'localhost:8080',
      'feeds.example',
      'exa mple',
      'a/b',
      'Feeds.Example',
      undefined,
    )
    const framing = fc.constantFrom(undefined, 'chunked')
    fc.assert(
      fc.property(fc.array(fc.tuple(host, framing)), (requests) => {
        const isPlain = plainRequests()
        for (const [h, te] of requests) expect(isPlain(h, te)).toBe(plainRequests()(h, te))
      }),
    )
    const isPlain = plainRequests()
    expect([isPlain('localhost:8080', undefined), isPlain('exa mple', undefined)]).toEqual([true, false])
    expect([isPlain('localhost:8080', 'chunked'), isPlain(undefined, undefined)]).toEqual([false, false])
  })
})
