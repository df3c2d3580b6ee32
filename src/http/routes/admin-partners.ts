import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { FeedCatalog } from '../../domain/feed-definition.ts'
import { partnerInputSchemaFor, type Partner } from '../../domain/partner.ts'
import { problemsFromZod, REPORT_INPUT } from '../../domain/problem.ts'
import type { PartnerRegistry } from '../../services/partner-registry.ts'
import type { AppEnv } from '../context.ts'
import { AppError } from '../errors.ts'
import { bodyError } from '../json-body.ts'
import { FIXED_ROUTES, honoPath } from '../route-table.ts'
import {
  checkSignedHeaders,
  readSignedBody,
  refusedSignature,
  type SignedRequestRules,
} from '../signed-request.ts'
import { adminSignedBytes, type HmacKeys } from '../signature.ts'

export interface AdminDeps {
  registry: PartnerRegistry
  catalog: FeedCatalog
  /** ADMIN_SECRETS: several during a rotation; none refuses every admin request. */
  secrets: readonly string[]
  now: () => number
  /** The app's imported keys of those secrets. */
  keys?: HmacKeys
}

/** A partner definition is a few hundred bytes; anything much larger is not one. */
const MAX_ADMIN_BODY = 16 * 1024
/** How long an admin body may take to arrive once its headers have, as for the webhook's default. */
const ADMIN_BODY_TIMEOUT_MS = 10_000
const NO_STORE = { 'cache-control': 'no-store' }
const RevokeSchema = z.strictObject({ keyId: z.string().min(1).max(64).optional() })
const decoder = new TextDecoder('utf-8', { fatal: true })

/** A partner as the admin API shows it: key ids and dates, never a hash. */
function view(partner: Partner) {
  const { keys, ...rest } = partner
  return { ...rest, keys: keys.map(({ keyId, createdAt }) => ({ keyId, createdAt })) }
}

/**
 * `/admin/partners`: create, list, show, rotate a key, revoke keys. Every request is signed like the
 * webhook (Silkfeed-Signature, HMAC-SHA256, 5-minute window) with an ADMIN_SECRETS secret, over its
 * method, path and body; nothing is read or changed before the signature holds.
 */
export function adminPartnerRoutes(deps: AdminDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const schema = partnerInputSchemaFor(deps.catalog)

  const rules: SignedRequestRules = {
    secrets: deps.secrets,
    now: deps.now,
    maxBytes: MAX_ADMIN_BODY,
    bodyTimeoutMs: ADMIN_BODY_TIMEOUT_MS,
    refuse: (failure) => {
      const reason = failure === 'unconfigured' ? 'adminUnconfigured' : failure
      return refusedSignature('ADMIN_BAD_SIGNATURE', reason, 'admin')
    },
    keys: deps.keys,
  }

  /**
   * The verified body, parsed as JSON (an empty body is `{}`), or the error that refuses the request:
   * judged from its headers before its body is read, which is then cut off past MAX_ADMIN_BODY.
   */
  async function signedJson(c: Context<AppEnv>): Promise<unknown> {
    const body = await readSignedBody(c, checkSignedHeaders(c, rules), rules, (bytes) =>
      adminSignedBytes(c.req.method, c.req.path, bytes),
    )
    if (body.byteLength === 0) return {}
    try {
      return JSON.parse(decoder.decode(body)) as unknown
    } catch {
      throw bodyError(body)
    }
  }

  function parse<T>(s: z.ZodType<T>, json: unknown): T {
    const parsed = s.safeParse(json, REPORT_INPUT)
    if (parsed.success) return parsed.data
    const problems = problemsFromZod(parsed.error)
    throw new AppError('INVALID_PAYLOAD', { count: problems.length }, problems)
  }

  const notFound = (id: string) => new AppError('PARTNER_NOT_FOUND', { id })
  const idOf = (c: Context<AppEnv>) => c.req.param('id') ?? ''

  app.post(honoPath(FIXED_ROUTES.adminPartners), async (c) => {
    const input = parse(schema, await signedJson(c))
    const { partner, key } = await deps.registry.create(input)
    return c.json({ id: partner.id, key, partner: view(partner) }, 201, NO_STORE)
  })
  app.get(honoPath(FIXED_ROUTES.adminPartners), async (c) => {
    await signedJson(c)
    return c.json({ partners: (await deps.registry.list()).map(view) }, 200, NO_STORE)
  })
  app.get(honoPath(FIXED_ROUTES.adminPartner), async (c) => {
    await signedJson(c)
    const partner = await deps.registry.get(idOf(c))
    if (!partner) throw notFound(idOf(c))
    return c.json(view(partner), 200, NO_STORE)
  })
  app.post(honoPath(FIXED_ROUTES.adminRotate), async (c) => {
    await signedJson(c)
    const rotated = await deps.registry.rotate(idOf(c))
    if (!rotated) throw notFound(idOf(c))
    return c.json({ id: rotated.partner.id, key: rotated.key, partner: view(rotated.partner) }, 200, NO_STORE)
  })
  app.post(honoPath(FIXED_ROUTES.adminRevoke), async (c) => {
    const { keyId } = parse(RevokeSchema, await signedJson(c))
    const partner = await deps.registry.revoke(idOf(c), keyId)
    if (!partner) throw notFound(keyId ?? idOf(c))
    return c.json(view(partner), 200, NO_STORE)
  })
  return app
}
