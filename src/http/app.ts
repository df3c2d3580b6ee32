import { Hono } from 'hono'
import { routePath } from 'hono/route'
import { timingSafeEqual } from 'hono/utils/buffer'
import type { AppEnv } from './context.ts'
import type { Logger, Telemetry } from '../ports/observability.ts'
import { NO_TELEMETRY } from '../services/telemetry.ts'
import type { FeedService } from '../services/feed-service.ts'
import { StorageUnavailableError, type ObjectStore } from '../ports/object-store.ts'
import { AppError, negotiateProblemLanguage, problemResponse } from './errors.ts'
import { createHotFront, type HotFront } from './hot-front.ts'
import { createPartnerFront } from './partner-front.ts'
import { localeMiss, notFoundHandler } from './not-found.ts'
import { createRequestRecorder } from './request-log.ts'
import { withResourceHeaders } from './problem-headers.ts'
import { allowOf, FIXED_ROUTES, honoPath, type FixedRoute } from './route-table.ts'
import { redactPath } from '../domain/url-scheme.ts'
import { keyIndexStaleMs, PartnerRegistry } from '../services/partner-registry.ts'
import { QuotaCounter } from '../services/quota.ts'
import { adminPartnerRoutes } from './routes/admin-partners.ts'
import { serveRepresentations } from './serve-representations.ts'
import { PageService } from '../services/page-service.ts'
import { NinjsService } from '../services/ninjs-service.ts'
import { ArchiveService } from '../services/archive-service.ts'
import { ChangeFeed } from '../services/change-feed.ts'
import { CursorCodec } from '../services/change-cursor.ts'
import { changesHandler } from './routes/changes.ts'
import { createCursorFront, QuietAnswers } from './cursor-front.ts'
import { healthRoutes } from './routes/health.ts'
import { buildOpenApi } from './openapi.ts'
import type { AppCaches } from './caches.ts'
import { WEBHOOK_LIMITS, webhookRoutes, type WebhookLimits } from './routes/webhook.ts'
import type { PublishService } from '../services/publish.ts'
import type { HubNotifier } from '../services/websub.ts'

/** How often a request waiting on the change cursor lists the log again (other processes' entries). */
const CHANGES_POLL_MS = 1000

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
  /** Partners and their keys; by default a registry over `store` whose key index lives 2 s. */
  partners?: PartnerRegistry
  /** ADMIN_SECRETS, for `/admin/partners`; none refuses every admin request. */
  adminSecrets?: readonly string[]
  /** The app's caches (`createAppCaches`), made by the composition root. */
  caches: AppCaches
}

/**
 * The Hono app, the same on Node and in workerd. Every stored representation is served by one
 * middleware (`serveRepresentations`); `front` is that pipeline's synchronous answer for feeds held
 * in memory, which a platform may call before the app (the Node entry does).
 */
export function createApp(deps: AppDeps): Hono<AppEnv> & { front: HotFront } {
  const app = new Hono<AppEnv>()
  const telemetry = deps.telemetry ?? NO_TELEMETRY
  const registry =
    deps.partners ??
    new PartnerRegistry(deps.store, {
      now: deps.now,
      freshMs: 2000,
      randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
      staleIfErrorMs: keyIndexStaleMs(deps.feeds.feeds),
      logger: deps.logger,
    })
  const partners = { registry, quotas: new QuotaCounter(deps.now), catalog: deps.feeds.feeds }

  // One JSON log line and one metric per request; the request id comes from Cloudflare or is made here.
  const requestIdFor = (cfRay: string | undefined) => cfRay ?? deps.newRequestId()
  const record = createRequestRecorder(deps.logger, telemetry)
  app.use(async (c, next) => {
    const started = deps.now()
    const requestId = requestIdFor(c.req.header('cf-ray'))
    c.set('requestId', requestId)
    await next()
    const durationMs = deps.now() - started
    const route = c.get('route') ?? routePath(c)
    if (!c.get('requestIdSent')) c.res.headers.set('x-request-id', requestId)
    if (c.req.method === 'POST' && route === FIXED_ROUTES.webhook.path) {
      telemetry.count('silkfeed_webhook_total', {
        status: String(c.res.status),
        outcome: webhookOutcome(c.res),
      })
    }
    record({
      method: c.req.method,
      path: redactPath(c.req.path),
      route,
      status: c.res.status,
      bytes: c.get('bytes') ?? bodyBytes(c.res),
      durationMs,
      cache: c.get('cache'),
      requestId,
      partner: c.get('partner'),
    })
  })

  app.route('/', healthRoutes(deps.store, deps.now, deps.retryAfterSeconds, deps.readyCacheMs))
  if (deps.metrics) {
    const { render, token } = deps.metrics
    app.get(FIXED_ROUTES.metrics.path, async (c) => {
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
      keys: deps.caches.hmacKeys,
    }),
  )
  app.route(
    '/',
    adminPartnerRoutes({
      registry,
      catalog: deps.feeds.feeds,
      secrets: deps.adminSecrets ?? [],
      now: deps.now,
      keys: deps.caches.hmacKeys,
    }),
  )
  let openApi: string | undefined
  app.get(FIXED_ROUTES.openapi.path, (c) => {
    openApi ??= JSON.stringify(buildOpenApi(deps.feeds.feeds, deps.publicBaseUrl), null, 2)
    return c.body(openApi, 200, {
      'content-type': 'application/json; charset=utf-8',
      'access-control-allow-origin': '*',
    })
  })
  const fixed: FixedRoute[] = Object.values(FIXED_ROUTES)
  for (const route of deps.metrics ? fixed : fixed.filter((r) => r !== FIXED_ROUTES.metrics)) {
    app.all(honoPath(route), (c) => methodNotAllowed(c.req.method, allowOf(route)))
  }
  const archives = new ArchiveService(deps.feeds, deps.now)
  const changeFeed = new ChangeFeed({
    changeLog: deps.feeds.changeLog,
    articles: deps.feeds.articles,
    signal: deps.feeds.changeSignal,
    settings: deps.feeds.settings,
    now: deps.now,
    changeLogMs: deps.feeds.timing.changeLogMs,
    // Both attempts the SDK makes at a write: an entry that has not landed by then never will.
    settleMs: 2 * deps.feeds.timing.storageTimeoutMs,
    pollMs: CHANGES_POLL_MS,
    sharedListingMs: deps.feeds.timing.sharedListingMs,
  })
  const quiet = new QuietAnswers(changeFeed, deps.now)
  app.use(
    serveRepresentations({
      feeds: deps.feeds,
      pages: new PageService(deps.feeds),
      ninjs: new NinjsService(deps.feeds, deps.now),
      archives,
      changes: changesHandler(changeFeed, new CursorCodec(deps.webhook.secrets), quiet, deps.feeds.feeds.all),
      partners,
      now: deps.now,
    }),
  )

  // Problem documents and error logs quote the path with any partner key taken out.
  const texts = deps.caches.problemTexts
  app.notFound(notFoundHandler(texts, deps.now))

  app.onError((err, c) => {
    const language = negotiateProblemLanguage(c.req.header('accept-language'))
    const path = redactPath(c.req.path)
    const answer = (error: AppError) => withResourceHeaders(problemResponse(error, language, path, texts), c)
    // A path's locale that is none may be another spelling of one: the answer then names it.
    if (err instanceof AppError)
      return answer((err.code === 'LOCALE_NOT_FOUND' && localeMiss(path, deps.now())) || err)
    if (err instanceof StorageUnavailableError) {
      deps.logger.error('storage unavailable', { path, reason: err.message })
      const retryAfter = String(deps.retryAfterSeconds)
      return answer(new AppError('STORAGE_UNAVAILABLE', { retryAfter }, [], { 'retry-after': retryAfter }))
    }
    // The id the response's X-Request-Id and the access log carry, so a report can be matched to both.
    const requestId = c.get('requestId')
    deps.logger.error('unhandled error', {
      path,
      requestId,
      error: String(err),
      stack: err.stack,
    })
    return answer(new AppError('INTERNAL', { requestId }))
  })

  const front = firstAnswer(
    createPartnerFront({ feeds: deps.feeds, partners, now: deps.now, requestIdFor, record }),
    firstAnswer(
      createHotFront({ feeds: deps.feeds, archives, now: deps.now, requestIdFor, record }),
      createCursorFront(quiet, { now: deps.now, requestIdFor, record }),
    ),
  )
  return Object.assign(app, { front })
}

/** Hot fronts tried in turn: the first answer wins, and none leaves the request to the app. */
function firstAnswer(first: HotFront, second: HotFront): HotFront {
  return (request) => first(request) ?? second(request)
}

/** OPTIONS of a fixed route says what it allows; any method it lacks is a 405 that says the same. */
function methodNotAllowed(method: string, allow: string): Response {
  if (method === 'OPTIONS') return new Response(null, { status: 204, headers: { allow } })
  throw new AppError('METHOD_NOT_ALLOWED', { method, allowed: allow }, [], { allow })
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
