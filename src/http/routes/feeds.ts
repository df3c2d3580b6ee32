import { Hono } from 'hono'
import { FORMATS, isFormat, type FeedDefinition, type FeedFormat } from '../../domain/feed-definition.ts'
import { LANGUAGE_TAG, LOCALES, isLocale, type Locale } from '../../domain/locale.ts'
import { formatHttpDate } from '../../render/dates.ts'
import type { FeedBundle, FeedVariant } from '../../services/feed-bundle.ts'
import type { FeedService, ServedFeed } from '../../services/feed-service.ts'
import type { Bytes } from '../../storage/object-store.ts'
import { feedUrls, type PublicationSettings } from '../../render/feed-model.ts'
import { clientAcceptEncoding, PRECOMPRESSED, variantFor } from '../accept-encoding.ts'
import { isNotModified } from '../conditional-get.ts'
import { withRequestId, type AppEnv } from '../context.ts'
import { AppError } from '../errors.ts'

// Response headers are built once per variant and reused by every request for it.
const headerCache = new WeakMap<FeedVariant, Record<string, string>>()

function headersFor(
  definition: FeedDefinition,
  bundle: FeedBundle,
  variant: FeedVariant,
  settings: PublicationSettings,
): Record<string, string> {
  let headers = headerCache.get(variant)
  if (!headers) {
    const { maxAge, staleWhileRevalidate, staleIfError } = definition.cache
    headers = {
      'content-type': bundle.contentType,
      'content-language': LANGUAGE_TAG[bundle.locale],
      etag: variant.etag,
      'last-modified': formatHttpDate(bundle.lastModified),
      'cache-control': `public, max-age=${maxAge}, stale-while-revalidate=${staleWhileRevalidate}, stale-if-error=${staleIfError}`,
      vary: 'Accept-Encoding',
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'ETag, Last-Modified, Age',
      ...(variant.encoding === 'identity' ? {} : { 'content-encoding': variant.encoding }),
      ...linkHeader(settings, bundle),
    }
    headerCache.set(variant, headers)
  }
  return headers
}

/** WebSub discovery in HTTP: `Link: <hub>; rel="hub", <self>; rel="self"` when hubs are configured. */
function linkHeader(settings: PublicationSettings, bundle: FeedBundle): Record<string, string> {
  const hubs = settings.hubs ?? []
  if (hubs.length === 0) return {}
  const self = feedUrls(settings, bundle.feedId, bundle.locale)[bundle.format]
  return { link: [...hubs.map((h) => `<${h}>; rel="hub"`), `<${self}>; rel="self"`].join(', ') }
}

/** The route of feeds, as the request log and metrics name it. */
export const FEED_ROUTE = '/:locale/:file'

/** The feed a `/{locale}/{file}` path names. */
export interface FeedTarget {
  definition: FeedDefinition
  locale: Locale
  format: FeedFormat
}

/** Which feed `/{locale}/{file}` names; throws the AppError (404) that says what exists when none. */
export function resolveFeed(feeds: FeedService, locale: string, file: string, path: string): FeedTarget {
  const found = findFeed(feeds, locale, file)
  if (found) return found
  const dot = file.lastIndexOf('.')
  if (dot <= 0) throw new AppError('ROUTE_NOT_FOUND', { path })
  const format = file.slice(dot + 1)
  if (!isLocale(locale)) throw new AppError('LOCALE_NOT_FOUND', { locale, available: LOCALES.join(', ') })
  if (!isFormat(format)) throw new AppError('FORMAT_NOT_FOUND', { format, available: FORMATS.join(', ') })
  const available = feeds.feeds.forLocale(locale).map((d) => d.id)
  throw new AppError('FEED_NOT_FOUND', { feed: file.slice(0, dot), available: available.join(', ') })
}

/** The feed `/{locale}/{file}` names, or undefined. */
export function findFeed(feeds: FeedService, locale: string, file: string): FeedTarget | undefined {
  const dot = file.lastIndexOf('.')
  if (dot <= 0 || !isLocale(locale)) return undefined
  const format = file.slice(dot + 1)
  const definition = feeds.feeds.find(file.slice(0, dot))
  if (!isFormat(format) || !definition || !definition.locales.includes(locale)) return undefined
  return { definition, locale, format }
}

/** What of a feed request its answer depends on. */
export interface FeedRequest {
  method: string
  acceptEncoding: string | undefined
  ifNoneMatch: string | undefined
  ifModifiedSince: string | undefined
  requestId: string
}

/** A feed response as plain data: what a Response is made of, or what Node writes directly. */
export interface FeedAnswer {
  status: 200 | 304
  /** Made for this request: the variant's headers plus the request id (the caller may add to them). */
  headers: Record<string, string>
  /** The pre-encoded bytes; null for a 304 and for HEAD. */
  body: Bytes | null
  /** Body bytes sent, for the request log. */
  bytes: number
}

/**
 * The answer to a GET or HEAD of a feed at hand: the variant the client accepts, 304 when its copy is
 * current, the same headers either way (built once per variant, plus the request id), no body for
 * HEAD. Shared by the route and the hot path (`hot-feeds.ts`), so both answer alike.
 */
export function answerFeed(
  feeds: FeedService,
  { definition }: FeedTarget,
  { bundle, stale, ageSeconds }: ServedFeed,
  request: FeedRequest,
): FeedAnswer {
  const variant = variantFor(bundle, request.acceptEncoding)
  const cached = headersFor(definition, bundle, variant, feeds.settings)
  // A stale copy says how old it is; its Last-Modified stays the content's own.
  const headers = withRequestId(stale ? { ...cached, age: String(ageSeconds) } : cached, request.requestId)
  if (isNotModified(request, { etag: variant.etag, lastModified: bundle.lastModified })) {
    return { status: 304, headers, body: null, bytes: 0 }
  }
  const head = request.method === 'HEAD'
  return { status: 200, headers, body: head ? null : variant.body, bytes: head ? 0 : variant.body.byteLength }
}

/** A feed answer as a Response. */
export function feedResponse({ status, headers, body }: FeedAnswer): Response {
  return new Response(body, { status, headers, ...PRECOMPRESSED })
}

/** `GET/HEAD /{locale}/{feed}.{rss|atom|json}`: pre-encoded bytes, content-coded and conditional. */
export function feedRoutes(feeds: FeedService): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get(FEED_ROUTE, async (c) => {
    const { locale, file } = c.req.param()
    const target = resolveFeed(feeds, locale, file, c.req.path)
    const served = await feeds.getFeed(target.definition, target.locale, target.format)
    c.set('cache', served.outcome)
    const answer = answerFeed(feeds, target, served, {
      method: c.req.method,
      acceptEncoding: clientAcceptEncoding(c.req.raw),
      ifNoneMatch: c.req.header('if-none-match'),
      ifModifiedSince: c.req.header('if-modified-since'),
      requestId: c.get('requestId'),
    })
    c.set('bytes', answer.bytes)
    c.set('requestIdSent', true)
    return feedResponse(answer)
  })
  return app
}
