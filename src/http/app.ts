import { Hono } from 'hono'
import type { AppEnv } from './context.ts'
import { NO_TELEMETRY, type Telemetry } from '../services/telemetry.ts'
import type { FeedService, Logger } from '../services/feed-service.ts'
import { StorageUnavailableError, type ObjectStore } from '../storage/object-store.ts'
import { AppError, negotiateProblemLanguage, problemResponse } from './errors.ts'
import { feedRoutes } from './routes/feeds.ts'
import { healthRoutes } from './routes/health.ts'
import { buildOpenApi } from './openapi.ts'
import { webhookRoutes } from './routes/webhook.ts'
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
  webhook: { secrets: readonly string[]; maxBytes: number }
}

/** The Hono app, the same on Node and in workerd. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const telemetry = deps.telemetry ?? NO_TELEMETRY

  // One JSON log line and one metric per request; the request id comes from Cloudflare or is made here.
  app.use(async (c, next) => {
    const started = deps.now()
    const requestId = c.req.header('cf-ray') ?? deps.newRequestId()
    c.set('requestId', requestId)
    await next()
    const durationMs = deps.now() - started
    const route = c.req.routePath
    c.res.headers.set('x-request-id', requestId)
    telemetry.count('silkfeed_http_requests_total', { route, status: String(c.res.status) })
    telemetry.observe('silkfeed_http_request_seconds', durationMs / 1000, { route })
    deps.logger.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      bytes: c.get('bytes'),
      durationMs,
      cache: c.get('cache'),
      requestId,
    })
  })

  app.route('/', healthRoutes(deps.store, deps.now, deps.retryAfterSeconds))
  if (deps.metrics) {
    const { render, token } = deps.metrics
    app.get('/metrics', (c) => {
      if (token && c.req.header('authorization') !== `Bearer ${token}`) {
        return c.text('metrics need Authorization: Bearer <METRICS_TOKEN>\n', 401, {
          'www-authenticate': 'Bearer',
        })
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
      secrets: deps.webhook.secrets,
      maxBytes: deps.webhook.maxBytes,
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

  return app
}
