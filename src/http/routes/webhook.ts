import { Hono, type Context } from 'hono'
import { feedUrls, type PublicationSettings } from '../../render/feed-model.ts'
import type { HubNotifier } from '../../services/websub.ts'
import type { FeedCatalog } from '../../domain/feed-definition.ts'
import { problemsFromZod } from '../../domain/problem.ts'
import { republishSchemaFor } from '../../domain/republish.ts'
import type { PublishService } from '../../services/publish.ts'
import { KEYS } from '../../services/storage-keys.ts'
import type { ObjectStore } from '../../storage/object-store.ts'
import type { AppEnv } from '../context.ts'
import { AppError } from '../errors.ts'
import { verifySignature } from '../signature.ts'

export interface WebhookDeps {
  publish: PublishService
  hubs: HubNotifier
  store: ObjectStore
  catalog: FeedCatalog
  secrets: readonly string[]
  maxBytes: number
  now: () => number
  settings: PublicationSettings
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** `POST /webhooks/republish`: signed, validated whole before anything is written, idempotent. */
export function webhookRoutes(deps: WebhookDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const schema = republishSchemaFor(deps.catalog)

  app.post('/webhooks/republish', async (c) => {
    const declared = Number(c.req.header('content-length') ?? '0')
    if (declared > deps.maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', { limit: deps.maxBytes })
    const body = await readLimited(c.req.raw, deps.maxBytes)
    if (!/^application\/(json|[\w.+-]+\+json)\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE')
    }
    const failure = await verifySignature(
      c.req.header('silkfeed-signature'),
      body,
      deps.secrets,
      deps.now() / 1000,
    )
    if (failure)
      throw new AppError('BAD_SIGNATURE', { reason: `signatureReasons.${failure}` }, [], {}, ['reason'])

    const idempotencyKey = c.req.header('idempotency-key')
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 200)) {
      throw new AppError('INVALID_PAYLOAD', { count: 1 }, [
        { path: 'header Idempotency-Key', message: 'must have 1 to 200 characters' },
      ])
    }

    let json: unknown
    try {
      json = JSON.parse(decoder.decode(body))
    } catch (error) {
      throw new AppError('MALFORMED_JSON', { reason: error instanceof Error ? error.message : String(error) })
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success) {
      const problems = problemsFromZod(parsed.error)
      throw new AppError('INVALID_PAYLOAD', { count: problems.length }, problems)
    }

    const bodyDigest = await sha256Hex(body)
    const recordKey = idempotencyKey
      ? KEYS.idempotency(await sha256Hex(encoder.encode(idempotencyKey)))
      : undefined
    if (recordKey) {
      const previous = await deps.store.get(recordKey)
      if (previous) {
        const saved = JSON.parse(new TextDecoder().decode(previous.body)) as {
          bodyDigest: string
          response: unknown
        }
        if (saved.bodyDigest !== bodyDigest)
          throw new AppError('IDEMPOTENCY_CONFLICT', { key: idempotencyKey! })
        return c.json(saved.response as object, 200, {
          'idempotent-replayed': 'true',
          'cache-control': 'no-store',
        })
      }
    }

    const report = await deps.publish.apply(parsed.data, signedAtMs(c.req.header('silkfeed-signature')!))
    const response = { status: 'ok', ...report }
    if (deps.hubs.enabled) {
      const urls = [...new Set(report.feeds.map((f) => feedUrls(deps.settings, f.feed, f.locale)[f.format]))]
      afterResponse(c, deps.hubs.notify(urls))
    }
    if (recordKey) {
      const record = { bodyDigest, at: new Date(deps.now()).toISOString(), response }
      await deps.store.put(recordKey, encoder.encode(JSON.stringify(record)), {
        contentType: 'application/json; charset=utf-8',
      })
    }
    return c.json(response, 200, { 'cache-control': 'no-store' })
  })

  app.on(['GET', 'PUT', 'PATCH', 'DELETE'], '/webhooks/republish', (c) => {
    throw new AppError('METHOD_NOT_ALLOWED', { method: c.req.method, allowed: 'POST' }, [], { allow: 'POST' })
  })
  return app
}

/**
 * When a verified request was signed (ms), read as `verifySignature` reads it (the last `t`): a
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

/** Reads a request body, refusing (413) as soon as it grows past the limit. */
async function readLimited(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  if (!request.body) return new Uint8Array()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      throw new AppError('PAYLOAD_TOO_LARGE', { limit })
    }
    chunks.push(value)
  }
  const body = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('')
}
