import { audienceKey } from '../domain/audience.ts'
import { audienceFor, mayRead } from '../domain/partner.ts'
import { redactPath, RESOURCE_TEMPLATES } from '../domain/url-scheme.ts'
import type { FeedService } from '../services/feed-service.ts'
import { feedTargetsOf } from './feed-targets.ts'
import { answerHotRequest, type HotFront } from './hot-front.ts'
import { chargeQuota, privateRepresentation, type PartnerAccess } from './partner-access.ts'
import type { RequestRecord } from './request-log.ts'
import { feedRepresentation, type FeedTarget } from './resources.ts'

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

const PARTNER_FEED_TEMPLATE = RESOURCE_TEMPLATES.partnerFeed
const KEYED = '/p/'

/**
 * The hot front's answer to a keyed feed (`/p/{key}/{locale}/{feed}.{format}`) held in memory: the
 * same answer, log line and metrics as the app's partner route, without its storage or a Request.
 * It answers only what it can decide alone: a key the registry vouches for without storage
 * (`authenticateHot`, so a revocation still takes effect within HOT_CACHE_MS), a feed and locale the
 * key may read, its audience's rendering in memory and current, a quota not spent. Anything else
 * (an unknown key, a 403, a 429, a cold feed) is undefined, and the app answers it: the answers to
 * keys that do not read stay the app's one 401, whatever this front knows.
 */
export function createPartnerFront(options: PartnerFrontOptions): HotFront {
  const { feeds, partners, now, requestIdFor, record } = options
  const targetOf = feedTargetsOf<PartnerTarget>(feeds.feeds, (named, feedPath) => ({
    ...named,
    loggedPath: redactPath(`${KEYED}-${feedPath}`),
  }))
  return (request) => {
    const { method, path } = request
    if ((method !== 'GET' && method !== 'HEAD') || path === undefined || !path.startsWith(KEYED))
      return undefined
    const slash = path.indexOf('/', KEYED.length)
    if (slash < 0) return undefined
    const started = now()
    const target = targetOf(path.slice(slash))
    const found = target && partners.registry.authenticateHot(path.slice(KEYED.length, slash))
    if (!target || !found) return undefined
    const { definition, locale, format } = target
    if (!mayRead(found.partner, definition.id, locale)) return undefined
    const audience = audienceKey(audienceFor(found.partner, definition))
    const served = feeds.getHotFeedFor(definition, locale, format, audience)
    if (!served) return undefined
    const { admitted } = chargeQuota(partners, found)
    if (!admitted) return undefined
    const requestId = requestIdFor(request.cfRay)
    const shared = feedRepresentation(definition, served.bundle, feeds.settings, started)
    const answer = answerHotRequest(privateRepresentation(shared), request, requestId, started)
    for (const name in admitted.headers) answer.rawHeaders.push(name, admitted.headers[name]!)
    record({
      method,
      path: target.loggedPath,
      route: PARTNER_FEED_TEMPLATE,
      status: answer.status,
      bytes: answer.bytes,
      durationMs: now() - started,
      cache: served.outcome,
      requestId,
      partner: admitted.partner.id,
    })
    return answer
  }
}
