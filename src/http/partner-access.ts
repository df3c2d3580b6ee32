import type { FeedCatalog } from '../domain/feed-definition.ts'
import type { Locale } from '../domain/locale.ts'
import { partnerStoryAudience, readableFeeds, type Partner } from '../domain/partner.ts'
import type { Reader } from '../services/change-feed.ts'
import type { StoryReader } from '../services/ninjs-parts.ts'
import type { Authenticated } from '../services/partner-key-index.ts'
import type { PartnerRegistry } from '../services/partner-registry.ts'
import type { QuotaCounter, QuotaState } from '../services/quota.ts'
import { AppError } from './errors.ts'
import type { Representation } from './representation.ts'

/** What partner reads need: who holds a key, and how many requests it has left. */
export interface PartnerAccess {
  registry: PartnerRegistry
  quotas: QuotaCounter
  catalog: FeedCatalog
}

/** A partner let in: who it is, and the RateLimit headers its answer carries. */
export interface Admitted {
  partner: Partner
  headers: Record<string, string>
}

// The one answer to every key that does not read: unknown, malformed, revoked or rotated out alike.
const INVALID_KEY_HEADERS = { 'www-authenticate': 'Bearer realm="silkfeed"' }

/**
 * The key of an `Authorization: Bearer <key>` header (the scheme in any case, RFC 9110 §11.1): a
 * malformed Bearer credential yields a key that matches nothing; another scheme (Basic, say: a proxy's
 * or a browser's credentials) selects no partner, undefined.
 */
function bearerKey(header: string | undefined): string | undefined {
  if (header === undefined || !/^[ \t]*bearer([ \t]|$)/i.test(header)) return undefined
  const match = /^[ \t]*bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return match?.[1] ?? ''
}

/** The IETF RateLimit-Policy field (draft-ietf-httpapi-ratelimit-headers) of a quota per minute. */
export const rateLimitPolicy = (limit: number) => `"per-minute";q=${limit};w=60`

/** The IETF RateLimit field: what is left of a quota, and when it starts again. */
export const rateLimitLeft = ({ remaining, resetSeconds }: QuotaState) =>
  `"per-minute";r=${remaining};t=${resetSeconds}`

/** Both RateLimit fields of a quota, in the order answers carry them. */
function rateLimitHeaders(quota: QuotaState): Record<string, string> {
  return { 'ratelimit-policy': rateLimitPolicy(quota.limit), ratelimit: rateLimitLeft(quota) }
}

/**
 * Lets a key in, or throws: 401 (the same for every key that is not active, after the same work: one
 * digest and one look-up), then 429 once the key's requests this minute reach its quota.
 */
export async function admitPartner(access: PartnerAccess, key: string): Promise<Admitted> {
  const found = await access.registry.authenticate(key)
  if (!found) throw new AppError('PARTNER_KEY_INVALID', {}, [], INVALID_KEY_HEADERS)
  const { admitted, quota } = chargeQuota(access, found)
  if (admitted) return admitted
  const retryAfter = String(quota.resetSeconds)
  throw new AppError('QUOTA_EXCEEDED', { quota: quota.limit, retryAfter }, [], {
    ...rateLimitHeaders(quota),
    'retry-after': retryAfter,
  })
}

/**
 * Counts a request of an active key against its quota: the partner admitted with its RateLimit
 * headers, or no one when the quota is spent (a refused request is not counted).
 */
function chargeQuota(
  access: PartnerAccess,
  found: Authenticated,
): { admitted: Admitted | undefined; quota: QuotaState } {
  const quota = access.quotas.take(found.keyId, found.partner.entitlements.quotaPerMinute)
  const admitted = quota.allowed ? { partner: found.partner, headers: rateLimitHeaders(quota) } : undefined
  return { admitted, quota }
}

/** Throws the 403 that names what the key may read when a feed or locale is outside its agreement. */
export function requireEntitled(
  access: PartnerAccess,
  partner: Partner,
  feedId: string,
  locale: Locale,
): void {
  const readable = readableFeeds(partner, access.catalog)
  if (readable.some((r) => r.definition.id === feedId && r.locale === locale)) return
  throw forbidden(readable, feedId, locale)
}

/**
 * A partner's view of a locale's change cursor: the stories of the feeds it may read there, embargoed
 * ones if its agreement says so, with item links under `itemBase` when given (its keyed base). A
 * locale where it may read no feed is the 403 of the feeds.
 */
export function changesReader(
  access: PartnerAccess,
  partner: Partner,
  locale: Locale,
  itemBase?: string,
): Reader {
  const readable = readableFeeds(partner, access.catalog)
  const feeds = readable.filter((r) => r.locale === locale).map((r) => r.definition)
  if (feeds.length === 0) throw forbidden(readable, 'changes', locale)
  return { kind: 'partner', feeds, embargoed: partner.entitlements.embargoed, ...(itemBase && { itemBase }) }
}

/**
 * A partner's view of a locale's ninjs items: each story at its audience for the best of the feeds it
 * may read there that select it (none: the 404 of an unknown id). A locale where it may read no feed
 * is the 403 of the feeds.
 */
export function ninjsReader(access: PartnerAccess, partner: Partner, locale: Locale): StoryReader {
  const readable = readableFeeds(partner, access.catalog)
  if (!readable.some((r) => r.locale === locale)) throw forbidden(readable, 'items', locale)
  return (story) => partnerStoryAudience(partner, access.catalog, story)
}

/**
 * The partner a request reads as: the key in its path (checked first, so a key that does not read
 * learns nothing of the catalogue), else an `Authorization: Bearer` key; none for the public, nor
 * for credentials of another scheme (public answers vary on Authorization all the same).
 */
export async function admitReader(
  access: PartnerAccess,
  keyInPath: string | undefined,
  authorization: string | undefined,
): Promise<Admitted | undefined> {
  if (keyInPath !== undefined) return admitPartner(access, keyInPath)
  const key = bearerKey(authorization)
  return key === undefined ? undefined : admitPartner(access, key)
}

/** The 403 that names what a key may read. */
function forbidden(readable: ReturnType<typeof readableFeeds>, feedId: string, locale: Locale): AppError {
  const feeds = [...new Set(readable.map((r) => r.definition.id))]
  const locales = [...new Set(readable.map((r) => r.locale))]
  return new AppError('PARTNER_FORBIDDEN', {
    feed: feedId,
    locale,
    feeds: feeds.join(', ') || '-',
    locales: locales.join(', ') || '-',
  })
}

const privateOf = new WeakMap<Representation, Representation>()

/**
 * A representation as a partner receives it: the same bytes, `private` (no shared cache may keep a
 * copy for others). No WebSub link: hubs fetch the public URL. Built once per representation.
 */
export function privateRepresentation(representation: Representation): Representation {
  let found = privateOf.get(representation)
  if (!found) {
    const headers: Record<string, string> = { ...representation.headers }
    delete headers.link
    const cacheControl = headers['cache-control'] ?? 'max-age=0'
    headers['cache-control'] = cacheControl.includes('public')
      ? cacheControl.replace('public', 'private')
      : `private, ${cacheControl}`
    // A page's language may come from Accept-Language; the key is in the path, or in Authorization,
    // which the public feeds already vary on.
    found = { ...representation, headers }
    privateOf.set(representation, found)
  }
  return found
}
