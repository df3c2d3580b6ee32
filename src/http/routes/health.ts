import { Hono } from 'hono'
import { StorageUnavailableError, type ObjectStore, type StorageFailure } from '../../ports/object-store.ts'
import { LANGUAGE_TAG } from '../../domain/locale.ts'
import { problemTranslatorFor } from '../../i18n/translator.ts'
import type { AppEnv } from '../context.ts'
import { negotiateProblemLanguage } from '../errors.ts'

const NO_STORE = { 'cache-control': 'no-store' }

/** The default of READY_CACHE_MS: how old a readiness answer may be. */
export const READY_CACHE_MS = 5000

/**
 * The configuration variables (src/platform/config.ts) an operator checks when the store refuses
 * the credentials or has no such bucket; `/readyz` names them, never their values.
 */
export const STORAGE_SETTINGS = {
  'credentials-refused': ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'],
  'bucket-missing': ['S3_BUCKET', 'S3_ENDPOINT'],
} as const satisfies Record<Exclude<StorageFailure, 'unreachable'>, readonly string[]>

/** The key of each failure's text in problems.json (`storageReasons`). */
const REASON_TEXT: Record<StorageFailure, string> = {
  unreachable: 'storageReasons.unreachable',
  'credentials-refused': 'storageReasons.credentialsRefused',
  'bucket-missing': 'storageReasons.bucketMissing',
}

/** What one storage probe found, shared by every readiness request until it is too old. */
interface Probe {
  /** Why the probe failed; none when storage answered. */
  failure?: StorageFailure
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
    let failure: StorageFailure | undefined
    try {
      await store.ping()
    } catch (error) {
      failure = error instanceof StorageUnavailableError ? error.failure : 'unreachable'
    }
    const checkedAt = now()
    return (last = { failure, latencyMs: checkedAt - started, checkedAt })
  }
  return () => {
    if (last && now() - last.checkedAt < maxAgeMs) return Promise.resolve(last)
    running ??= probe().finally(() => (running = undefined))
    return running
  }
}

/**
 * `GET /healthz`: the process answers (liveness). `GET /readyz`: storage answers too, with its latency,
 * from a probe at most `readyCacheMs` old (`ageMs` says how old). A 503 says why, in the language
 * Accept-Language prefers: storage unreachable (with Retry-After), or misconfigured (the credentials
 * refused, the bucket missing), which no wait mends: no Retry-After, and the variables to check.
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
    const { failure, latencyMs, checkedAt } = await readiness()
    const timing = {
      latencyMs,
      checkedAt: new Date(checkedAt).toISOString(),
      ageMs: Math.max(0, now() - checkedAt),
    }
    if (!failure) return c.json({ status: 'ready', storage: { status: 'ok', ...timing } }, 200, NO_STORE)
    // The detail is in the client's language, as a problem document's would be.
    const language = negotiateProblemLanguage(c.req.header('accept-language'))
    const t = problemTranslatorFor(language)
    const headers = { ...NO_STORE, 'content-language': language === 'en' ? 'en' : LANGUAGE_TAG[language] }
    if (failure === 'unreachable') {
      const detail = t(REASON_TEXT[failure], { retryAfter: retryAfterSeconds })
      const storage = { status: 'unavailable', reason: failure, detail, ...timing }
      return c.json({ status: 'unready', storage }, 503, {
        ...headers,
        'retry-after': String(retryAfterSeconds),
      })
    }
    const settings = STORAGE_SETTINGS[failure]
    const detail = t(REASON_TEXT[failure], { settings: settings.join(', ') })
    const storage = { status: 'misconfigured', reason: failure, settings, detail, ...timing }
    return c.json({ status: 'unready', storage }, 503, headers)
  })
  return app
}
