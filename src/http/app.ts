import { Hono } from 'hono'
import { timingSafeEqual } from 'hono/utils/buffer'
import type { AppEnv } from './context.ts'
import type { Logger, Telemetry } from '../services/ports.ts'
import { boundBy, NO_TELEMETRY } from '../services/telemetry.ts'
import type { FeedService } from '../services/feed-service.ts'
import { StorageUnavailableError, type ObjectStore } from '../storage/object-store.ts'
import { AppError, negotiateProblemLanguage, problemResponse } from './errors.ts'
import { FEED_ROUTE, feedResponse, feedRoutes } from './routes/feeds.ts'
import { createHotFeeds, hotRequestOf, type HotFeeds, type RequestRecord } from './hot-feeds.ts'
import { pageRoutes } from './routes/pages.ts'
import { healthRoutes } from './routes/health.ts'
import { buildOpenApi } from './openapi.ts'
import { WEBHOOK_LIMITS, webhookRoutes, type WebhookLimits } from './routes/webhook.ts'
import type { PublishService } from '../services/publish.ts'
import type { HubNotifier } from '../services/websub.ts'

/** Everything the HTTP layer needs, built by a platform entry. */
export interface AppDeps {
  feeds: FeedService
  store: ObjectStore
  logger: Logger
  now: () => number
  newRequestId: () => string
  /** Seconds a client should wait after a 503. */
  retryAfterSeconds: number
  telemetry?: Telemetry
  /** Prometheus exposition (Node): how to render it, and the bearer token guarding it, if any. */
  metrics?: { render: () => string; token?: string }
  publish: PublishService
  hubs: HubNotifier
  publicBaseUrl: string
  webhook: { secrets: readonly string[]; maxBytes: number } & Partial<WebhookLimits>
  /** How old a readiness answer may be (see health.ts); its default when absent. */
  readyCacheMs?: number
}

/**
 * The Hono app, the same on Node and in workerd, with its hot path for feeds (`hotFeeds`), which a
 * platform may call before the app itself (the Node entry does).
 */
export function createApp(deps: AppDeps): Hono<AppEnv> & { hotFeeds: HotFeeds } {
  const app = new Hono<AppEnv>()
  const telemetry = deps.telemetry ?? NO_TELEMETRY

  // One JSON log line and one metric per request; the request id comes from Cloudflare or is made here.
  const requestIdFor = (cfRay: string | undefined) => cfRay ?? deps.newRequestId()
  // Bound once per route (and status): a request then finds its series without building label keys.
  const requestCounter = boundBy((route) =>
    boundBy((status) => telemetry.counter('silkfeed_http_requests_total', { route, status })),
  )
  const requestTimer = boundBy((route) => telemetry.timer('silkfeed_http_request_seconds', { route }))
  const record = ({ method, path, route, status, bytes, durationMs, cache, requestId }: RequestRecord) => {
    requestCounter(route)(String(status))()
    requestTimer(route)(durationMs / 1000)
    deps.logger.info('request', { method, path, status, bytes, durationMs, cache, requestId })
  }
  app.use(async (c, next) => {
    const started = deps.now()
    const requestId = requestIdFor(c.req.header('cf-ray'))
    c.set('requestId', requestId)
    await next()
    const durationMs = deps.now() - started
    const route = c.req.routePath
    if (!c.get('requestIdSent')) c.res.headers.set('x-request-id', requestId)
    if (c.req.method === 'POST' && route === '/webhooks/republish') {
      telemetry.count('silkfeed_webhook_total', {
        status: String(c.res.status),
        outcome: webhookOutcome(c.res),
      })
    }
    record({
      method: c.req.method,
      path: c.req.path,
      route,
      status: c.res.status,
      bytes: c.get('bytes') ?? bodyBytes(c.res),
      durationMs,
      cache: c.get('cache'),
      requestId,
    })
  })

  app.route('/', healthRoutes(deps.store, deps.now, deps.retryAfterSeconds, deps.readyCacheMs))
  if (deps.metrics) {
    const { render, token } = deps.metrics
    app.get('/metrics', async (c) => {
      // Compared in constant time (of digests), so the answer's timing tells nothing of the token.
      if (token && !(await timingSafeEqual(c.req.header('authorization') ?? '', `Bearer ${token}`))) {
        throw new AppError('METRICS_UNAUTHORIZED', {}, [], { 'www-authenticate': 'Bearer' })
      }
      return c.body(render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
    })
  }
  app.route(
    '/',
    webhookRoutes({
      publish: deps.publish,
      hubs: deps.hubs,
      settings: deps.feeds.settings,
      store: deps.store,
      catalog: deps.feeds.feeds,
      ...WEBHOOK_LIMITS,
      ...deps.webhook,
      retryAfterSeconds: deps.retryAfterSeconds,
      now: deps.now,
    }),
  )
  let openApi: string | undefined
  app.get('/openapi.json', (c) => {
    openApi ??= JSON.stringify(buildOpenApi(deps.feeds.feeds, deps.publicBaseUrl), null, 2)
    return c.body(openApi, 200, {
      'content-type': 'application/json; charset=utf-8',
      'access-control-allow-origin': '*',
    })
  })
  // Before feedRoutes: its /:locale/:file would otherwise answer /{locale}/feeds.opml.
  app.route('/', pageRoutes(deps.feeds))
  app.route('/', feedRoutes(deps.feeds))

  app.notFound((c) => {
    const error = new AppError('ROUTE_NOT_FOUND', { path: c.req.path })
    return problemResponse(error, negotiateProblemLanguage(c.req.header('accept-language')), c.req.path)
  })

  app.onError((err, c) => {
    const language = negotiateProblemLanguage(c.req.header('accept-language'))
    if (err instanceof AppError) return problemResponse(err, language, c.req.path)
    if (err instanceof StorageUnavailableError) {
      deps.logger.error('storage unavailable', { path: c.req.path, reason: err.message })
      const retryAfter = String(deps.retryAfterSeconds)
      const error = new AppError('STORAGE_UNAVAILABLE', { retryAfter }, [], { 'retry-after': retryAfter })
      return problemResponse(error, language, c.req.path)
    }
    const requestId = c.req.header('cf-ray') ?? deps.newRequestId()
    deps.logger.error('unhandled error', {
      path: c.req.path,
      requestId,
      error: String(err),
      stack: err.stack,
    })
    return problemResponse(new AppError('INTERNAL', { requestId }), language, c.req.path)
  })

  // Hot feeds skip the router and middleware (see hot-feeds.ts); everything else, and app.request()
  // in tests, goes through this same fetch.
  const routed = new Map<string, boolean>()
  const hotFeeds = createHotFeeds({
    feeds: deps.feeds,
    now: deps.now,
    requestIdFor,
    record,
    route: FEED_ROUTE,
    routesToFeeds: (path) => {
      let toFeeds = routed.get(path) // only paths naming a feed get here: as many as there are feeds
      if (toFeeds === undefined) {
        const [matches] = app.router.match('GET', path)
        const first = matches.find(([[, r]]) => !(r.method === 'ALL' && r.path === '/*'))
        routed.set(path, (toFeeds = first?.[0][1].path === FEED_ROUTE))
      }
      return toFeeds
    },
  })
  const dispatch = app.fetch
  app.fetch = (request, env, ctx) => {
    const answer = hotFeeds(hotRequestOf(request))
    return answer ? feedResponse(answer) : dispatch(request, env, ctx)
  }

  return Object.assign(app, { hotFeeds })
}

/** What a republish call came to, for the webhook metric: a few values an alert can select on. */
function webhookOutcome(res: Response): string {
  if (res.status === 200) return res.headers.get('idempotent-replayed') === 'true' ? 'replayed' : 'published'
  if (res.status === 401) return 'unauthorized'
  if (res.status === 499) return 'client_closed'
  return res.status >= 500 ? 'failed' : 'rejected'
}

/** The body size of a response a route did not report: from Content-Length, 0 with no body, else unknown. */
function bodyBytes(res: Response): number | undefined {
  const declared = res.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared)) return Number(declared)
  return res.body === null ? 0 : undefined
}
