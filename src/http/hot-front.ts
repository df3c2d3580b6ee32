import { parsePath, RESOURCE_TEMPLATES } from '../domain/url-scheme.ts'
import { feedTargetsOf } from './feed-targets.ts'
import { isFormat, type FeedDefinition, type FeedFormat } from '../domain/feed-definition.ts'
import { isLocale, type Locale } from '../domain/locale.ts'
import type { ArchiveService } from '../services/archive-service.ts'
import type { FeedService } from '../services/feed-service.ts'
import type { FeedBundle } from '../services/feed-bundle.ts'
import { answerRepresentation, VARY_FIXED, type Answer, type Representation } from './representation.ts'
import type { RequestRecord } from './request-log.ts'
import {
  feedRepresentation,
  heldRepresentation,
  pageRepresentation,
  type FeedTarget,
  type HeldRepresentation,
} from './resources.ts'

/**
 * The little of a request the hot front reads, copied from the platform's request as plain values:
 * no closures made per request (under tsx, which keeps function names, each one would cost a
 * property definition).
 */
export interface HotRequest {
  method: string
  /** The URL's path when it has no query and needs no decoding; undefined otherwise. */
  path: string | undefined
  /** The request target as sent (path and query), for the change cursor's front. */
  target?: string
  cfRay: string | undefined
  ifNoneMatch: string | undefined
  ifModifiedSince: string | undefined
  acceptEncoding: string | undefined
}

/** Answers a hot feed (logged and counted), or undefined: then the app answers the request. */
export type HotFront = (request: HotRequest) => Answer | undefined

export interface HotFrontOptions {
  feeds: FeedService
  /** Archives held in memory are answered here too. */
  archives?: ArchiveService
  now: () => number
  /** The request id for a request with this `cf-ray` header (absent outside Cloudflare). */
  requestIdFor: (cfRay: string | undefined) => string
  /** The app's request recorder (`createRequestRecorder`). */
  record: (entry: RequestRecord) => void
}

const FEED_TEMPLATE = RESOURCE_TEMPLATES.feed
const ARCHIVE_TEMPLATE = RESOURCE_TEMPLATES.archive
/** Archive paths remembered: only ones whose archive was in hand, so at most the months that exist. */
const ARCHIVE_PATHS_MAX = 1000

interface ArchiveTarget {
  definition: FeedDefinition
  locale: Locale
  month: string
  format: FeedFormat
}

/**
 * A feed path's feed, its hot cache key, and the representation of the bundle it last served; and the
 * path itself, kept once, which log lines hold instead of each request's own copy of it.
 */
interface HotTarget extends FeedTarget, HeldRepresentation {
  path: string
  key: string
}

/**
 * The serving pipeline's synchronous front for feeds held in memory, for a platform to call before
 * the app (the Node entry does, before its fetch adapter builds a Request): the path is read by the
 * URL codec, the answer made by `answerRepresentation` with the feed's representation, the log line
 * and metrics written by the app's recorder, exactly as `serveRepresentations` does. Anything else
 * (other paths, methods, queries, encoded paths, feeds not hot) is undefined, for the app.
 */
export function createHotFront(options: HotFrontOptions): HotFront {
  const { feeds, now, requestIdFor, record } = options
  // The feed each feed path names, found once per path. Each also keeps the representation of the
  // bundle it last served, found again without a lookup while the bundle stays the same.
  const targetOf = feedTargetsOf<HotTarget>(feeds.feeds, (named, path) =>
    // A partners-only feed is answered by the app (its 404 says how partners read it).
    named.definition.public === 'none'
      ? undefined
      : {
          ...named,
          path,
          key: feeds.hotKey(named.definition, named.locale, named.format),
          bundle: undefined,
          representation: undefined,
        },
  )
  const representationOf = (found: HotTarget, bundle: FeedBundle, now: number) =>
    heldRepresentation(found, bundle, () => feedRepresentation(found.definition, bundle, feeds.settings, now))
  // A plain map, emptied when full: a lookup per request touches no LRU order.
  const archivePaths = new Map<string, ArchiveTarget>()
  const archiveOf = (path: string, known: ArchiveTarget | undefined): ArchiveTarget | undefined => {
    if (known) return known
    const named = parsePath(path)
    if (named?.kind !== 'archive' || !isLocale(named.locale) || !isFormat(named.format)) return undefined
    const definition = feeds.feeds.find(named.feedId)
    if (!definition || !definition.locales.includes(named.locale) || definition.public === 'none')
      return undefined
    return { definition, locale: named.locale, month: named.month, format: named.format }
  }
  /** A hot archive's representation, or undefined (the app answers then). */
  const hotArchive = (
    path: string,
    known: ArchiveTarget | undefined,
    now: number,
  ): Representation | undefined => {
    const target = options.archives && archiveOf(path, known)
    const page =
      target && options.archives!.hotMonth(target.definition, target.locale, target.month, target.format)
    if (!page) return undefined
    if (!known) {
      if (archivePaths.size >= ARCHIVE_PATHS_MAX) archivePaths.clear()
      archivePaths.set(path, target)
    }
    return pageRepresentation(page, VARY_FIXED, now)
  }
  return (request) => {
    const { method, path } = request
    if ((method !== 'GET' && method !== 'HEAD') || path === undefined) return undefined
    const started = now()
    // An archive path seen before is known at once: it is no feed path, which would be parsed again.
    const archived = archivePaths.get(path)
    const found = archived ? undefined : targetOf(path)
    const served = found && feeds.getHotFeed(found.definition, found.locale, found.format, found.key)
    const representation =
      found && served ? representationOf(found, served.bundle, started) : hotArchive(path, archived, started)
    if (!representation) return undefined
    const requestId = requestIdFor(request.cfRay)
    const answer = answerHotRequest(representation, request, requestId, started)
    const { status, bytes } = answer
    record({
      method,
      // A log line waits to be written: it holds the path kept with the feed, not the request's copy.
      path: found?.path ?? path,
      route: served ? FEED_TEMPLATE : ARCHIVE_TEMPLATE,
      status,
      bytes,
      durationMs: now() - started,
      cache: served ? served.outcome : 'hit',
      requestId,
    })
    return answer
  }
}

/** A hot request answered with a representation (variant, conditional GET, headers), as the app would. */
export function answerHotRequest(
  representation: Representation,
  request: HotRequest,
  requestId: string,
  started: number,
): Answer {
  const { method, acceptEncoding, ifNoneMatch, ifModifiedSince } = request
  return answerRepresentation(
    representation,
    { method, acceptEncoding, ifNoneMatch, ifModifiedSince, requestId },
    started,
  )
}

/** A URL path (`/…`) when it needs no decoding and carries no query; else undefined. */
export function plainPath(path: string): string | undefined {
  return path.charCodeAt(0) !== 47 || path.includes('%') || path.includes('?') ? undefined : path
}

// A host the fetch adapter takes as it is: lower-case name or address, optional port.
const PLAIN_HOST = /^[a-z0-9._-]+(?::\d{1,5})?$/

/**
 * Whether a request is plain enough for the hot front: a Host the adapter would accept as is, and no
 * request body framing. Anything unusual goes through the adapter and the app, which answer it
 * (a 400 for an invalid Host or framing) the same whether or not the feed is hot. The Host is
 * checked once per value in a row: a server hears the same one request after request.
 */
export function plainRequests(): (host: string | undefined, transferEncoding: string | undefined) => boolean {
  let lastHost: string | undefined
  let lastPlain = false
  return (host, transferEncoding) => {
    if (transferEncoding !== undefined || host === undefined) return false
    if (host !== lastHost) {
      lastPlain = PLAIN_HOST.test(host)
      lastHost = host
    }
    return lastPlain
  }
}
