import type { ExecutionContext } from 'hono'
import { createApp } from '../http/app.ts'
import { buildDeps } from './build-deps.ts'
import { bundledCatalog } from './bundled-feeds.ts'
import { parseConfig, unknownVariables, type Config } from './config.ts'
import type { AppDeps } from '../http/app.ts'
import { runMaintenance } from '../services/maintenance.ts'
import type { EdgeCache } from '../storage/edge-cached-object-store.ts'

type RawEnv = Record<string, unknown>

/** The slice of Cloudflare's ExportedHandler this entry uses (no global Workers types needed). */
interface WorkerHandler {
  fetch(request: Request, env: RawEnv, ctx: ExecutionContext): Response | Promise<Response>
  scheduled(controller: { scheduledTime: number }, env: RawEnv, ctx: ExecutionContext): void | Promise<void>
}

// One set of dependencies and one app per environment object: Workers hands the same env to every
// request of an isolate. Built at the first request, not at startup.
const built = new WeakMap<object, { config: Config; deps: AppDeps; app: ReturnType<typeof createApp> }>()

/** The data centre's Cache API (`caches.default`); absent outside Workers. */
function edgeCache(): EdgeCache | undefined {
  return (globalThis as { caches?: { default?: EdgeCache } }).caches?.default
}

function wiredFor(env: RawEnv) {
  let wired = built.get(env)
  if (!wired) {
    const config = parseConfig(env)
    const deps = buildDeps(config, bundledCatalog(), { edgeCache: edgeCache() })
    wired = { config, deps, app: createApp(deps) }
    built.set(env, wired)
    for (const name of unknownVariables(env)) {
      deps.logger.warn('unknown variable ignored (typo?)', { variable: name })
    }
  }
  return wired
}

/** The Cloudflare Worker entry: it only wires. */
export default {
  fetch: (request, env, ctx) => wiredFor(env).app.fetch(request, env, ctx),
  // Cron Trigger (wrangler.toml [triggers]): the same maintenance the Node server runs on a timer.
  scheduled: (controller, env, ctx) => {
    const { config, deps } = wiredFor(env)
    const run = runMaintenance(deps.store, deps.feeds, {
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
