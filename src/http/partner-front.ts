import { audienceKey, type AudienceKey } from '../domain/audience.ts'
import { audienceFor, mayRead } from '../domain/partner.ts'
import { redactPath, RESOURCE_TEMPLATES } from '../domain/url-scheme.ts'
import type { FeedService } from '../services/feed-service.ts'
import type { FeedBundle } from '../services/feed-bundle.ts'
import type { Authenticated } from '../services/partner-key-index.ts'
import type { HotKeys } from '../services/variant-cache.ts'
import { feedTargetsOf } from './feed-targets.ts'
import { answerHotRequest, type HotFront } from './hot-front.ts'
import {
  privateRepresentation,
  rateLimitLeft,
  rateLimitPolicy,
  type PartnerAccess,
} from './partner-access.ts'
import type { RequestRecord } from './request-log.ts'
import {
  feedRepresentation,
  heldRepresentation,
  type FeedTarget,
  type HeldRepresentation,
} from './resources.ts'

export interface PartnerFrontOptions {
  feeds: FeedService
  partners: PartnerAccess
  now: () => number
  requestIdFor: (cfRay: string | undefined) => string
  record: (entry: RequestRecord) => void
}

/** A keyed path's feed, found once per feed path (`/{locale}/{feed}.{format}`, the part after the key). */
interface PartnerTarget extends FeedTarget {
  /** The path as logs show it: the key replaced by `{key}`. */
  loggedPath: string
}

/**
 * What a keyed path comes to while one listing of the key index stands: whose key, which feed, the
 * audience's rendering and its cache keys, the quota's policy field; and the private representation
 * of the bundle it last served, found again without a lookup while the bundle stays the same.
 */
interface KeyedDecision extends HeldRepresentation {
  target: PartnerTarget
  found: Authenticated
  audience: AudienceKey
  keys: HotKeys
  policy: string
}

const PARTNER_FEED_TEMPLATE = RESOURCE_TEMPLATES.partnerFeed
const KEYED = '/p/'

/**
 * The hot front's answer to a keyed feed (`/p/{key}/{locale}/{feed}.{format}`) held in memory: the
 * same answer, log line and metrics as the app's partner route, without its storage or a Request.
 * It answers only what it can decide alone: a key the registry vouches for without storage (its
 * index younger than HOT_CACHE_MS, so a revocation still takes effect within it), a feed and locale
 * the key may read, its audience's rendering in memory and current, a quota not spent. What a path
 * comes to is decided once per listing of the key index (`PartnerRegistry.hotDecision`). Anything
 * else (an unknown key, a 403, a 429, a cold feed) is undefined, and the app answers it: the answers
 * to keys that do not read stay the app's one 401, whatever this front knows.
 */
export function createPartnerFront(options: PartnerFrontOptions): HotFront {
  const { feeds, partners, now, requestIdFor, record } = options
  const targetOf = feedTargetsOf<PartnerTarget>(feeds.feeds, (named, feedPath) => ({
    ...named,
    loggedPath: redactPath(`${KEYED}-${feedPath}`),
  }))
  const decide = (
    path: string,
    slash: number,
    authenticated: (key: string) => Authenticated | undefined,
  ): KeyedDecision | undefined => {
    const target = targetOf(path.slice(slash))
    const found = target && authenticated(path.slice(KEYED.length, slash))
    if (!target || !found || !mayRead(found.partner, target.definition.id, target.locale)) return undefined
    const { definition, locale, format } = target
    const audience = audienceKey(audienceFor(found.partner, definition))
    const keys = {
      primary: feeds.hotKey(definition, locale, format),
      audience: feeds.hotKey(definition, locale, format, audience),
    }
    const policy = rateLimitPolicy(found.partner.entitlements.quotaPerMinute)
    return { target, found, audience, keys, policy, bundle: undefined, representation: undefined }
  }
  const representationOf = (decision: KeyedDecision, bundle: FeedBundle, now: number) =>
    heldRepresentation(decision, bundle, () =>
      privateRepresentation(feedRepresentation(decision.target.definition, bundle, feeds.settings, now)),
    )
  return (request) => {
    const { method, path } = request
    if ((method !== 'GET' && method !== 'HEAD') || path === undefined || !path.startsWith(KEYED))
      return undefined
    const slash = path.indexOf('/', KEYED.length)
    if (slash < 0) return undefined
    const started = now()
    const decision = partners.registry.hotDecision(path, (authenticated) =>
      decide(path, slash, authenticated),
    )
    if (!decision) return undefined
    const { target, found } = decision
    const served = feeds.getHotFeedFor(
      target.definition,
      target.locale,
      target.format,
      decision.audience,
      decision.keys,
    )
    if (!served) return undefined
    const quota = partners.quotas.take(found.keyId, found.partner.entitlements.quotaPerMinute)
    if (!quota.allowed) return undefined
    const requestId = requestIdFor(request.cfRay)
    const representation = representationOf(decision, served.bundle, started)
    const answer = answerHotRequest(representation, request, requestId, started)
    answer.rawHeaders.push('ratelimit-policy', decision.policy, 'ratelimit', rateLimitLeft(quota))
    record({
      method,
      path: target.loggedPath,
      route: PARTNER_FEED_TEMPLATE,
      status: answer.status,
      bytes: answer.bytes,
      durationMs: now() - started,
      cache: served.outcome,
      requestId,
      partner: found.partner.id,
    })
    return answer
  }
}
