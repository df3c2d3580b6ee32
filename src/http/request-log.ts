import type { CacheOutcome } from '../services/feed-service.ts'
import type { Logger, Telemetry } from '../ports/observability.ts'
import { boundBy } from '../services/telemetry.ts'

/** What the request log line and the request metrics say about one request. */
export interface RequestRecord {
  method: string
  path: string
  /** The route template that answered (the metrics label). */
  route: string
  status: number
  bytes: number | undefined
  durationMs: number
  cache: CacheOutcome | undefined
  requestId: string
  /** The partner whose key was admitted, if any: its id, never its key. */
  partner?: string
}

/**
 * Writes one request's log line and metrics: the one recorder of the app's middleware and of the
 * Node entry's hot front, so an operator cannot tell which path answered.
 */
export function createRequestRecorder(logger: Logger, telemetry: Telemetry): (record: RequestRecord) => void {
  // Bound once per route (and status): a request then finds its series without building label keys.
  const requestCounter = boundBy((route) =>
    boundBy((status) => telemetry.counter('silkfeed_http_requests_total', { route, status })),
  )
  const requestTimer = boundBy((route) => telemetry.timer('silkfeed_http_request_seconds', { route }))
  // One series per partner and status: partners are few, and keys never become labels.
  const partnerCounter = boundBy((partner) =>
    boundBy((status) => telemetry.counter('silkfeed_partner_requests_total', { partner, status })),
  )
  return ({ method, path, route, status, bytes, durationMs, cache, requestId, partner }) => {
    requestCounter(route)(String(status))()
    requestTimer(route)(durationMs / 1000)
    if (partner === undefined) {
      logger.info('request', { method, path, status, bytes, durationMs, cache, requestId })
      return
    }
    partnerCounter(partner)(String(status))()
    logger.info('request', { method, path, status, bytes, durationMs, cache, requestId, partner })
  }
}

/**
 * Request ids as `<prefix>-<counter in base 36>`: unique within the process by the counter and across
 * processes by a random prefix, at the cost of an increment where a random UUID costs a random draw
 * and its formatting per request.
 */
export function requestIdsFrom(prefix: string): () => string {
  let next = 0
  return () => `${prefix}-${(++next).toString(36)}`
}
