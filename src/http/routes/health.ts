import { Hono } from 'hono'
import type { ObjectStore } from '../../ports/object-store.ts'
import type { AppEnv } from '../context.ts'

const NO_STORE = { 'cache-control': 'no-store' }

/** The default of READY_CACHE_MS: how old a readiness answer may be. */
export const READY_CACHE_MS = 5000

/** What one storage probe found, shared by every readiness request until it is too old. */
interface Probe {
  ok: boolean
  latencyMs: number
  checkedAt: number
}

/**
 * The readiness of storage, probed at most once per `maxAgeMs` and by one request at a time: however
 * many load balancers and clients poll `/readyz`, storage sees one request per `maxAgeMs` at most.
 * Callers arriving while a probe runs share its result.
 */
function createReadiness(store: ObjectStore, now: () => number, maxAgeMs: number): () => Promise<Probe> {
  let last: Probe | undefined
  let running: Promise<Probe> | undefined
  const probe = async (): Promise<Probe> => {
    const started = now()
    let ok = true
    try {
      await store.ping()
    } catch {
      ok = false
    }
    const checkedAt = now()
    return (last = { ok, latencyMs: checkedAt - started, checkedAt })
  }
  return () => {
    if (last && now() - last.checkedAt < maxAgeMs) return Promise.resolve(last)
    running ??= probe().finally(() => (running = undefined))
    return running
  }
}

/**
 * `GET /healthz`: the process answers (liveness). `GET /readyz`: storage answers too, with its latency,
 * from a probe at most `readyCacheMs` old (`ageMs` says how old).
 */
export function healthRoutes(
  store: ObjectStore,
  now: () => number,
  retryAfterSeconds: number,
  readyCacheMs = READY_CACHE_MS,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const readiness = createReadiness(store, now, readyCacheMs)
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200, NO_STORE))
  app.get('/readyz', async (c) => {
    const { ok, latencyMs, checkedAt } = await readiness()
    const storage = {
      status: ok ? 'ok' : 'unavailable',
      latencyMs,
      checkedAt: new Date(checkedAt).toISOString(),
      ageMs: Math.max(0, now() - checkedAt),
    }
    if (ok) return c.json({ status: 'ready', storage }, 200, NO_STORE)
    return c.json({ status: 'unready', storage }, 503, {
      ...NO_STORE,
      'retry-after': String(retryAfterSeconds),
    })
  })
  return app
}
