import { AsyncLocalStorage } from 'node:async_hooks'
import type { ExecutionContext } from 'hono'
import type { KeepAlive } from '../ports/background.ts'
import { createApp } from '../http/app.ts'
import { buildDeps, type PlatformDeps } from './build-deps.ts'
import { bundledCatalog } from './bundled-feeds.ts'
import { parseConfig, unknownVariables, type Config } from './config.ts'
import { runMaintenance } from '../services/maintenance.ts'
import { announceReleases } from '../services/releases.ts'
import type { EdgeCache } from '../storage/edge-cached-object-store.ts'
import { isR2Bucket, R2ObjectStore } from '../storage/r2-object-store.ts'
import { AppError, negotiateProblemLanguage, problemResponse } from '../http/errors.ts'
import { createJsonLogger } from './logger.ts'

type RawEnv = Record<string, unknown>

/** The Cron Trigger that announces releases from embargo (wrangler.toml); twice its period as window. */
const RELEASE_CRON = '* * * * *'
const RELEASE_WINDOW_MS = 120_000

/** The slice of Cloudflare's ExportedHandler this entry uses (no global Workers types needed). */
interface WorkerHandler {
  fetch(request: Request, env: RawEnv, ctx: ExecutionContext): Response | Promise<Response>
  scheduled(
    controller: { scheduledTime: number; cron: string },
    env: RawEnv,
    ctx: ExecutionContext,
  ): void | Promise<void>
}

// One set of dependencies and one app per environment object: Workers hands the same env to every
// request of an isolate. Built at the first request, not at startup.
const built = new WeakMap<object, { config: Config; deps: PlatformDeps; app: ReturnType<typeof createApp> }>()

/** The data centre's Cache API (`caches.default`); absent outside Workers. */
function edgeCache(): EdgeCache | undefined {
  return (globalThis as { caches?: { default?: EdgeCache } }).caches?.default
}

/** The name of the R2 binding (wrangler.toml `[[r2_buckets]]`) that replaces the S3 API when present. */
const R2_BINDING = 'FEEDS_BUCKET'

/** The bucket through its R2 binding, when one is configured; else the S3 API is used. */
function r2Bucket(env: RawEnv) {
  const binding = env[R2_BINDING]
  return isR2Bucket(binding) ? { store: new R2ObjectStore(binding), name: `r2:${R2_BINDING}` } : undefined
}

/** Why an environment could not be wired (its configuration is invalid), remembered per isolate. */
const broken = new WeakMap<object, Error>()

/**
 * The answer of a Worker whose configuration is invalid: a 503 problem document in the client's
 * language that points to the logs, where the error names each variable to fix (never a value).
 */
function notConfigured(request: Request): Response {
  const error = new AppError('NOT_CONFIGURED', { logs: 'npx wrangler tail' }, [], { 'retry-after': '60' })
  return problemResponse(
    error,
    negotiateProblemLanguage(request.headers.get('accept-language') ?? undefined),
    new URL(request.url).pathname,
  )
}

/** The wiring of an environment, or the configuration error that prevents it (logged once per isolate). */
function tryWiredFor(env: RawEnv): ReturnType<typeof wiredFor> | Error {
  const known = broken.get(env)
  if (known) return known
  try {
    return wiredFor(env)
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error))
    broken.set(env, failure)
    createJsonLogger('error').error(
      'invalid configuration; every request is answered 503 until it is fixed',
      {
        reason: failure.message,
      },
    )
    return failure
  }
}

function wiredFor(env: RawEnv) {
  let wired = built.get(env)
  if (!wired) {
    const config = parseConfig(env)
    // Every link a feed carries is built from it: a Worker without it would publish links to
    // 127.0.0.1 (and store renderings that carry them), as `npm run serve` refuses to.
    if (!config.publicBaseUrlSet) {
      throw new Error(
        'Invalid configuration:\n  PUBLIC_BASE_URL: must be set to the public URL of the feeds, such as https://feeds.example.com (wrangler.toml [vars])',
      )
    }
    const deps = buildDeps(config, bundledCatalog(), {
      edgeCache: edgeCache(),
      bucket: r2Bucket(env),
      keepAlive,
    })
    wired = { config, deps, app: createApp(deps) }
    built.set(env, wired)
    for (const name of unknownVariables(env)) {
      deps.logger.warn('unknown variable ignored (typo?)', { variable: name })
    }
  }
  return wired
}

/** The running request's or Cron Trigger's context, for work it starts and does not wait for. */
const running = new AsyncLocalStorage<{ waitUntil(task: Promise<unknown>): void }>()

/**
 * Hands work that no request waits for (a stale feed's refresh) to the running request's
 * waitUntil: without it workerd drops the work once the request is answered, and a later request
 * that joined it would never be answered.
 */
const keepAlive: KeepAlive = (task) => running.getStore()?.waitUntil(task)

/** The Cloudflare Worker entry: it only wires. */
export default {
  fetch: (request, env, ctx) =>
    running.run(ctx, () => {
      const wired = tryWiredFor(env)
      return wired instanceof Error ? notConfigured(request) : wired.app.fetch(request, env, ctx)
    }),
  // Cron Triggers (wrangler.toml [triggers]): every minute, releases from embargo are announced to
  // WebSub hubs; every 15 minutes, the same maintenance the Node server runs on a timer.
  scheduled: (controller, env, ctx) => {
    const wired = tryWiredFor(env)
    if (wired instanceof Error) throw wired
    const { config, deps } = wired
    if (controller.cron === RELEASE_CRON) {
      const announced = announceReleases(deps.feeds, deps.hubs, controller.scheduledTime, RELEASE_WINDOW_MS)
      ctx.waitUntil(
        announced.then(
          (urls) => deps.logger.info('release check done', { announced: urls.length }),
          (error: unknown) => {
            deps.logger.error('release check failed; the next minute retries', { reason: String(error) })
            throw error
          },
        ),
      )
      return
    }
    const run = runMaintenance(deps.maintenanceStore, deps.feeds, {
      now: controller.scheduledTime,
      idempotencyMs: config.idempotencyMs,
      changeLogMs: config.changeLogMs,
    }).then(
      (report) => deps.logger.info('maintenance done', { ...report }),
      (error: unknown) => {
        deps.logger.error('maintenance failed; the next Cron Trigger retries', { reason: String(error) })
        throw error
      },
    )
    ctx.waitUntil(run)
  },
} satisfies WorkerHandler
