import type { CacheOutcome } from '../services/feed-service.ts'
import type { Logger, RequestLine, Telemetry } from '../ports/observability.ts'
import { boundBy } from '../services/telemetry.ts'

/** What the request log line and the request metrics say about one request. */
export interface RequestRecord extends RequestLine {
  /** The route template that answered (the metrics label). */
  route: string
  cache: CacheOutcome | undefined
  /** The partner whose key was admitted, if any: its id, never its key. */
  partner?: string
}

/**
 * Writes one request's log line and metrics: the one recorder of the app's middleware and of the
 * Node entry's hot front, so an operator cannot tell which path answered.
 */
export function createRequestRecorder(logger: Logger, telemetry: Telemetry): (record: RequestRecord) => void {
  const metricsOf = boundBy((route) => routeMetrics(telemetry, route))
  // A logger that can hold request lines takes the record itself (it keeps only the line's fields).
  const line: (record: RequestRecord) => void =
    logger.request?.bind(logger) ??
    (({ method, path, status, bytes, durationMs, cache, requestId, partner }) =>
      logger.info('request', { method, path, status, bytes, durationMs, cache, requestId, partner }))
  // One series per partner and status: partners are few, and keys never become labels.
  const partnerCounter = boundBy((partner) =>
    boundBy((status) => telemetry.counter('silkfeed_partner_requests_total', { partner, status })),
  )
  return (record) => {
    const metrics = metricsOf(record.route)
    const status = record.status
    ;(metrics.byStatus[status] ??= metrics.counterFor(status))()
    metrics.timer(record.durationMs / 1000)
    if (record.partner !== undefined) partnerCounter(record.partner)(String(status))()
    line(record)
  }
}

/**
 * A route's request metrics, bound to their series once: the timer, and a counter per status held
 * by the status as an array index, so that a request finds its series without making a label key.
 */
function routeMetrics(telemetry: Telemetry, route: string) {
  return {
    timer: telemetry.timer('silkfeed_http_request_seconds', { route }),
    byStatus: [] as ((value?: number) => void)[],
    counterFor: (status: number) =>
      telemetry.counter('silkfeed_http_requests_total', { route, status: String(status) }),
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
