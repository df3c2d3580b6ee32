import type { ExecutionContext } from 'hono'
import { createApp } from '../http/app.ts'
import { buildDeps } from './build-deps.ts'
import { bundledCatalog } from './bundled-feeds.ts'
import { parseConfig } from './config.ts'

type RawEnv = Record<string, unknown>

/** The slice of Cloudflare's ExportedHandler this entry uses (no global Workers types needed). */
interface WorkerHandler {
  fetch(request: Request, env: RawEnv, ctx: ExecutionContext): Response | Promise<Response>
}

// One app per environment object: Workers hands the same env to every request of an isolate.
const apps = new WeakMap<object, ReturnType<typeof createApp>>()

function appFor(env: RawEnv) {
  let app = apps.get(env)
  if (!app) {
    app = createApp(buildDeps(parseConfig(env), bundledCatalog()))
    apps.set(env, app)
  }
  return app
}

/** The Cloudflare Worker entry: it only wires. */
export default {
  fetch: (request, env, ctx) => appFor(env).fetch(request, env, ctx),
} satisfies WorkerHandler
