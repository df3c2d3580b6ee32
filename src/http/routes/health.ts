import { Hono } from 'hono'
import type { ObjectStore } from '../../storage/object-store.ts'

/** `GET /healthz`: the process answers, and whether storage does. */
export function healthRoutes(store: ObjectStore, now: () => number): Hono {
  const app = new Hono()
  app.get('/healthz', async (c) => {
    const started = now()
    try {
      await store.ping()
      return c.json({ status: 'ok', storage: { status: 'ok', latencyMs: now() - started } }, 200, {
        'cache-control': 'no-store',
      })
    } catch {
      return c.json(
        { status: 'degraded', storage: { status: 'unavailable', latencyMs: now() - started } },
        503,
        {
          'cache-control': 'no-store',
          'retry-after': '5',
        },
      )
    }
  })
  return app
}
