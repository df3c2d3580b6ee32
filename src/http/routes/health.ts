import { Hono } from 'hono'
import type { ObjectStore } from '../../storage/object-store.ts'
import type { AppEnv } from '../context.ts'

const NO_STORE = { 'cache-control': 'no-store' }

/** `GET /healthz`: the process answers (liveness). `GET /readyz`: storage answers too, with its latency. */
export function healthRoutes(store: ObjectStore, now: () => number, retryAfterSeconds: number): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200, NO_STORE))
  app.get('/readyz', async (c) => {
    const started = now()
    try {
      await store.ping()
      return c.json({ status: 'ready', storage: { status: 'ok', latencyMs: now() - started } }, 200, NO_STORE)
    } catch {
      return c.json(
        { status: 'unready', storage: { status: 'unavailable', latencyMs: now() - started } },
        503,
        { ...NO_STORE, 'retry-after': String(retryAfterSeconds) },
      )
    }
  })
  return app
}
