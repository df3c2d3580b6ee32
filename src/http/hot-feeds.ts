import type { CacheOutcome, FeedService } from '../services/feed-service.ts'
import { clientAcceptEncoding } from './accept-encoding.ts'
import { answerFeed, findFeed, type FeedAnswer, type FeedTarget } from './routes/feeds.ts'

/** What the request log line and the request metrics say about one request. */
export interface RequestRecord {
  method: string
  path: string
  /** The route pattern that answered (the metrics label). */
  route: string
  status: number
  bytes: number | undefined
  durationMs: number
  cache: CacheOutcome | undefined
  requestId: string
}

/** The little of a request the hot path reads, from a fetch Request or straight from Node. */
export interface HotRequest {
  method: string
  /** The URL's path when it has no query and needs no decoding; undefined otherwise. */
  path: string | undefined
  header(name: 'cf-ray' | 'if-none-match' | 'if-modified-since'): string | undefined
  acceptEncoding(): string | undefined
}

/** Answers a hot feed request (logged and counted), or undefined: then the app dispatches it. */
export type HotFeeds = (request: HotRequest) => FeedAnswer | undefined

export interface HotFeedsOptions {
  feeds: FeedService
  now: () => number
  /** The request id for a request with this `cf-ray` header (absent outside Cloudflare). */
  requestIdFor: (cfRay: string | undefined) => string
  /** Writes the request's log line and metrics, as the app's middleware does for every other request. */
  record: (entry: RequestRecord) => void
  /** Whether the app's router sends a GET of this path to the feed route (routes before it would win). */
  routesToFeeds: (path: string) => boolean
  route: string
}

/**
 * Answers GET and HEAD of a feed in the hot cache without Hono's router, context and middleware, and
 * synchronously: the answer is the feed route's own (`answerFeed`), and the log line and metrics are
 * the middleware's (`record`). Anything else (other paths, queries, percent-encoded or unusual URLs,
 * feeds not hot, any error) returns undefined and is dispatched by the app as usual.
 *
 * Why (measured, `npm run bench:serve`): through the router and middleware a hot 304 cost ~9.4 µs of
 * JavaScript, ~7 µs without them, and a HEAD 14.5 against ~6 µs (Hono answers HEAD by copying the
 * GET's headers twice); on the 2-core benchmark machine each µs a server spends leaves its client
 * idle and costs about as much again in wake-ups. The Node entry also skips the fetch adapter
 * (`platform/node-server.ts`).
 */
export function createHotFeeds(options: HotFeedsOptions): HotFeeds {
  const { feeds, now, requestIdFor, record, routesToFeeds, route } = options
  // The feed each feed path names, found once per path: only paths that name a feed are kept, so
  // there are never more entries than feeds.
  const targets = new Map<string, { target: FeedTarget; key: string }>()
  const targetOf = (path: string) => {
    let found = targets.get(path)
    if (found === undefined) {
      const slash = path.indexOf('/', 1)
      if (slash < 0 || path.indexOf('/', slash + 1) >= 0) return undefined
      const target = findFeed(feeds, path.slice(1, slash), path.slice(slash + 1))
      if (!target || !routesToFeeds(path)) return undefined
      const key = feeds.hotKey(target.definition, target.locale, target.format)
      targets.set(path, (found = { target, key }))
    }
    return found
  }
  return (request) => {
    const { method, path } = request
    if ((method !== 'GET' && method !== 'HEAD') || path === undefined) return undefined
    const started = now()
    try {
      const found = targetOf(path)
      if (!found) return undefined
      const { target } = found
      const served = feeds.getHotFeed(target.definition, target.locale, target.format, found.key)
      if (!served) return undefined
      const requestId = requestIdFor(request.header('cf-ray'))
      const answer = answerFeed(feeds, target, served, {
        method,
        acceptEncoding: request.acceptEncoding(),
        ifNoneMatch: request.header('if-none-match'),
        ifModifiedSince: request.header('if-modified-since'),
        requestId,
      })
      record({
        method,
        path,
        route,
        status: answer.status,
        bytes: answer.bytes,
        durationMs: now() - started,
        cache: served.outcome,
        requestId,
      })
      return answer
    } catch {
      return undefined // the app answers it, errors included
    }
  }
}

/** A fetch Request as the hot path reads it. */
export function hotRequestOf(request: Request): HotRequest {
  const url = request.url
  const start = url.indexOf('/', url.indexOf('//') + 2)
  return {
    method: request.method,
    path: start < 0 ? undefined : plainPath(url.slice(start)),
    header: (name) => request.headers.get(name) ?? undefined,
    acceptEncoding: () => clientAcceptEncoding(request),
  }
}

/** A URL path (`/…`) when it needs no decoding and carries no query; else undefined. */
export function plainPath(path: string): string | undefined {
  return path.charCodeAt(0) !== 47 || path.includes('%') || path.includes('?') ? undefined : path
}
