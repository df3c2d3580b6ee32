import { Hono, type Context } from 'hono'
import { feedUrls, type PublicationSettings } from '../../render/feed-model.ts'
import type { HubNotifier } from '../../services/websub.ts'
import type { FeedCatalog } from '../../domain/feed-definition.ts'
import { parseRepublish, republishSchemaFor } from '../../domain/republish.ts'
import type { Published, PublishService } from '../../services/publish.ts'
import type { ObjectStore } from '../../ports/object-store.ts'
import type { AppEnv } from '../context.ts'
import { AppError } from '../errors.ts'
import { IdempotentRequests } from '../idempotency.ts'
import { parseJsonBody } from '../json-body.ts'
import {
  checkSignedHeaders,
  readSignedBody,
  refusedSignature,
  type BodySlots,
  type SignedRequestRules,
} from '../signed-request.ts'
import type { HmacKeys, SignatureFailure } from '../signature.ts'

/** How many webhook bodies are read at once, and how long one may take to arrive. */
export interface WebhookLimits {
  /** Bodies read at once; one more is a 503 with Retry-After. */
  maxConcurrentBodies: number
  /** How long a body may take to arrive once its headers have; then 408. */
  bodyTimeoutMs: number
}

/** The defaults of WEBHOOK_CONCURRENT_BODIES and WEBHOOK_BODY_TIMEOUT_MS. */
export const WEBHOOK_LIMITS: WebhookLimits = { maxConcurrentBodies: 16, bodyTimeoutMs: 10_000 }

export interface WebhookDeps extends WebhookLimits {
  publish: PublishService
  hubs: HubNotifier
  store: ObjectStore
  catalog: FeedCatalog
  secrets: readonly string[]
  maxBytes: number
  retryAfterSeconds: number
  now: () => number
  settings: PublicationSettings
  /** The app's imported keys of the secrets. */
  keys?: HmacKeys
}

const IDEMPOTENCY_KEY_MAX = 200

/** `POST /webhooks/republish`: signed, validated whole before anything is written, idempotent. */
export function webhookRoutes(deps: WebhookDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const schema = republishSchemaFor(deps.catalog)

  const idempotent = new IdempotentRequests(deps.store, deps.now)
  const rules: SignedRequestRules = {
    secrets: deps.secrets,
    now: deps.now,
    maxBytes: deps.maxBytes,
    bodyTimeoutMs: deps.bodyTimeoutMs,
    refuse: badSignature,
    keys: deps.keys,
  }
  let reading = 0
  const bodies: BodySlots = {
    take: () => {
      if (reading >= deps.maxConcurrentBodies) {
        const retryAfter = String(deps.retryAfterSeconds)
        throw new AppError('WEBHOOK_BUSY', { retryAfter }, [], { 'retry-after': retryAfter })
      }
      reading++
    },
    release: () => reading--,
  }

  app.post('/webhooks/republish', async (c) => {
    // Everything that can be judged from the headers is, before a byte of the body is read: a request
    // that cannot be right costs no memory and no wait for its sender.
    if (!isJsonUtf8(c.req.header('content-type'))) throw new AppError('UNSUPPORTED_MEDIA_TYPE')
    const headers = checkSignedHeaders(c, rules)
    const body = await readSignedBody(c, headers, rules, undefined, bodies)

    const idempotencyKey = c.req.header('idempotency-key')
    if (
      idempotencyKey !== undefined &&
      (idempotencyKey.length === 0 || idempotencyKey.length > IDEMPOTENCY_KEY_MAX)
    ) {
      throw new AppError('INVALID_PAYLOAD', { count: 1 }, [
        { path: 'header Idempotency-Key', key: 'headerLength', params: { min: 1, max: IDEMPOTENCY_KEY_MAX } },
      ])
    }

    const parsed = parseRepublish(schema, parseJsonBody(body))
    if (!parsed.success) {
      throw new AppError('INVALID_PAYLOAD', { count: parsed.problems.length }, parsed.problems)
    }

    // The feeds this republish changed: a hub hears of no other (a feed rendered again unchanged, as
    // for a story under embargo, would announce what it holds back).
    const published = { changed: [] as Published['changed'] }
    const { response, replayed } = await idempotent.run(idempotencyKey, body, async () => {
      const { report, changed } = await deps.publish.apply(
        parsed.data,
        signedAtMs(c.req.header('silkfeed-signature')!),
      )
      published.changed = changed
      return { status: 'ok', ...report }
    })
    if (replayed) return c.json(response, 200, { 'idempotent-replayed': 'true', 'cache-control': 'no-store' })
    if (deps.hubs.enabled) {
      // Partners-only feeds have no public URL for a hub to fetch.
      const announced = published.changed.filter((f) => deps.catalog.find(f.feedId)?.public !== 'none')
      const urls = [...new Set(announced.map((f) => feedUrls(deps.settings, f.feedId, f.locale)[f.format]))]
      afterResponse(c, deps.hubs.notify(urls))
    }
    return c.json(response, 200, { 'cache-control': 'no-store' })
  })
  // Any other method is the app's 405, with the Allow of every fixed route (`allowOf`).
  return app
}

/**
 * When a verified request was signed (ms), read as `checkSignatureHeader` reads it (the last `t`): a
 * retraction pulls only what changed by then, so one captured and sent again pulls nothing new.
 */
function signedAtMs(header: string): number {
  let t = ''
  for (const part of header.split(',')) {
    const eq = part.indexOf('=')
    if (part.slice(0, eq).trim() === 't') t = part.slice(eq + 1).trim()
  }
  return Number(t) * 1000
}

/** Lets a task outlive the response: Workers' waitUntil; on Node the process simply keeps running. */
function afterResponse(c: Context<AppEnv>, task: Promise<void>): void {
  try {
    c.executionCtx.waitUntil(task)
  } catch {
    void task
  }
}

function badSignature(reason: SignatureFailure): AppError {
  return refusedSignature('BAD_SIGNATURE', reason, 'webhook')
}

/**
 * JSON in UTF-8: `application/json` or `application/*+json`, with no charset or `utf-8`. Any other
 * charset would be read wrongly as UTF-8 (and signed over bytes the sender did not mean).
 */
function isJsonUtf8(contentType: string | undefined): boolean {
  if (!contentType) return false
  const [type = '', ...params] = contentType.split(';')
  if (!/^application\/(json|[\w.+-]+\+json)$/i.test(type.trim())) return false
  return params.every((param) => {
    const eq = param.indexOf('=')
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') return true
    return /^"?utf-8"?$/i.test(param.slice(eq + 1).trim())
  })
}
