import { FORMATS, isFormat, type FeedDefinition, type FeedFormat } from '../domain/feed-definition.ts'
import { isMonth, monthOf } from '../domain/archive-months.ts'
import { publicAudience } from '../domain/audience.ts'
import { feedCacheControl } from '../domain/cache-control.ts'
import { LANGUAGE_TAG, LOCALES, isLocale, type Locale } from '../domain/locale.ts'
import { feedUrl, type Resource } from '../domain/url-scheme.ts'
import type { PublicationSettings } from '../render/feed-model.ts'
import type { ArchiveService } from '../services/archive-service.ts'
import type { FeedBundle } from '../services/feed-bundle.ts'
import type { FeedService } from '../services/feed-service.ts'
import { HTML_CONTENT_TYPE, type RenderedPage } from '../services/page-service.ts'
import { AppError } from './errors.ts'
import { VARY_FIXED, type Representation } from './representation.ts'

/** The methods every representation answers; anything else is a 405 naming them. */
export const REPRESENTATION_METHODS = 'GET, HEAD, OPTIONS'

/** Request headers a browser on another origin may send when it polls a feed conditionally. */
const CORS_REQUEST_HEADERS = 'If-None-Match, If-Modified-Since, Accept-Language, Authorization'
/** Response headers such a reader may read. */
const CORS_EXPOSED = 'ETag, Last-Modified, Age, Cache-Control, Content-Language, Link, X-Request-Id'
const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': CORS_EXPOSED }

/** The answer to a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`): a day's leave. */
export const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = {
  allow: REPRESENTATION_METHODS,
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD',
  'access-control-allow-headers': CORS_REQUEST_HEADERS,
  'access-control-max-age': '86400',
}

// No script runs on these pages, and nothing but their inline style is loaded: an article title
// that slipped past escaping still could not execute.
const HTML_SECURITY = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // A partner's page carries its key in its links and URL; no page hands its URL to another site.
  'referrer-policy': 'no-referrer',
}

/** The feed a path names in the catalogue. */
export interface FeedTarget {
  definition: FeedDefinition
  locale: Locale
  format: FeedFormat
}

/**
 * The feed a parsed feed path names, as anyone without a key may read it; throws the 404 that says
 * what exists when there is none, or that the feed is for partners.
 */
export function resolveFeed(
  feeds: FeedService,
  resource: Pick<Extract<Resource, { kind: 'feed' }>, 'locale' | 'format' | 'feedId'>,
): FeedTarget {
  const target = resolveAnyFeed(feeds, resource, 'public')
  requirePublic(feeds, target.definition, target.locale)
  return target
}

/** The feed a parsed feed path names, whoever may read it (partner routes check entitlements). */
export function resolveAnyFeed(
  feeds: FeedService,
  resource: Pick<Extract<Resource, { kind: 'feed' }>, 'locale' | 'format' | 'feedId'>,
  listed: Listed = 'all',
): FeedTarget {
  const { locale, format, feedId } = resource
  if (!isLocale(locale)) throw new AppError('LOCALE_NOT_FOUND', { locale, available: LOCALES.join(', ') })
  if (!isFormat(format)) throw new AppError('FORMAT_NOT_FOUND', { format, available: FORMATS.join(', ') })
  return { definition: requireFeed(feeds, feedId, locale, listed), locale, format }
}

/**
 * The archive a parsed archive path names, of a feed the public may read: the 404 of a feed path for
 * what does not exist, and a 400 saying how months are written for a month that is not one.
 */
export function resolveArchive(
  feeds: FeedService,
  resource: Extract<Resource, { kind: 'archive' }>,
  now: number,
): FeedTarget & { month: string } {
  const target = resolveFeed(feeds, resource)
  const { month } = resource
  if (!isMonth(month)) {
    const params = { month, locale: target.locale, feed: target.definition.id, format: target.format }
    throw new AppError('ARCHIVE_MONTH_INVALID', { ...params, example: monthOf(now) })
  }
  return { ...target, month }
}

/** `/{locale}/{feed}/archive/{month}.{format}`: a public feed's archive, or the 404 naming its months. */
export async function archiveRepresentation(
  feeds: FeedService,
  archives: ArchiveService,
  resource: Extract<Resource, { kind: 'archive' }>,
  now: number,
): Promise<Representation> {
  const { definition, locale, format, month } = resolveArchive(feeds, resource, now)
  const found = await archives.month(definition, locale, month, format)
  if (found.kind === 'document') return pageRepresentation(found.page, VARY_FIXED, now)
  const params = { feed: definition.id, locale, format, month }
  if (found.kind === 'none') throw new AppError('ARCHIVE_NOT_FOUND', params)
  throw new AppError('ARCHIVE_MONTH_NOT_FOUND', { ...params, first: found.first, last: found.last })
}

/** A feed the public may read; the 404 for a partners-only feed says how partners read it. */
export function requirePublic(feeds: FeedService, definition: FeedDefinition, locale: Locale): void {
  if (publicAudience(definition)) return
  const available = feeds.feeds.publicForLocale(locale).map((d) => d.id)
  throw new AppError('FEED_PARTNERS_ONLY', {
    feed: definition.id,
    locale,
    header: 'Authorization: Bearer <key>',
    available: available.join(', '),
  })
}

/** Which feeds a 404 names: the public's (no request without a key learns of a partners-only one), or all. */
type Listed = 'public' | 'all'

/** A feed offered in a locale; the 404 names the `listed` feeds of that locale otherwise. */
export function requireFeed(feeds: FeedService, id: string, locale: Locale, listed: Listed = 'public') {
  const definition = feeds.feeds.find(id)
  if (definition && definition.locales.includes(locale)) return definition
  const offered = listed === 'public' ? feeds.feeds.publicForLocale(locale) : feeds.feeds.forLocale(locale)
  throw new AppError('FEED_NOT_FOUND', { feed: id, available: offered.map((d) => d.id).join(', ') })
}

/** A feed named without a locale (the `/{feed}.{format}` redirect); the 404 names the public's feeds. */
export function requireNamedFeed(feeds: FeedService, feedId: string): FeedDefinition {
  const definition = feeds.feeds.find(feedId)
  if (definition) return definition
  const available = feeds.feeds.all.filter((d) => publicAudience(d)).map((d) => d.id)
  throw new AppError('FEED_NOT_FOUND', { feed: feedId, available: available.join(', ') })
}

/** A locale named in a path or `?lang=`; the 404 names the locales otherwise. */
export function requireLocale(locale: string, asSent = locale): Locale {
  if (!isLocale(locale))
    throw new AppError('LOCALE_NOT_FOUND', { locale: asSent, available: LOCALES.join(', ') })
  return locale
}

const feedRepresentations = new WeakMap<FeedBundle, Representation>()

/**
 * A feed bundle as a representation, its headers built once per bundle (and, while an embargo it
 * holds back is pending, once per second: no cache may keep it past the release).
 */
export function feedRepresentation(
  definition: FeedDefinition,
  bundle: FeedBundle,
  settings: PublicationSettings,
  now = 0,
): Representation {
  let representation = feedRepresentations.get(bundle)
  if (representation && bundle.nextRelease === undefined) return representation
  const cacheControl = feedCacheControl(definition.cache, bundle.nextRelease, now)
  if (!representation || representation.headers['cache-control'] !== cacheControl) {
    const headers: Record<string, string> = {
      'content-type': bundle.contentType,
      'content-language': LANGUAGE_TAG[bundle.locale],
      'cache-control': cacheControl,
      // A bearer key selects a partner's answer from the same URL: no shared cache may hand this one out for it.
      vary: 'Accept-Encoding, Authorization',
      ...CORS,
    }
    const hubs = settings.hubs ?? []
    if (hubs.length > 0) {
      // WebSub discovery in HTTP, beside the body's own links.
      const self = feedUrl(settings.publicBaseUrl, bundle.locale, bundle.feedId, bundle.format)
      headers.link = [...hubs.map((h) => `<${h}>; rel="hub"`), `<${self}>; rel="self"`].join(', ')
    }
    representation = { variants: bundle.variants, lastModified: bundle.lastModified, headers }
    feedRepresentations.set(bundle, representation)
  }
  return representation
}

/** Where a front keeps the representation of the bundle it last served (a feed path, a keyed path). */
export interface HeldRepresentation {
  bundle: FeedBundle | undefined
  representation: Representation | undefined
}

/**
 * The representation `held` keeps for `bundle`, made again by `make` only when the bundle changed
 * or holds a story back until a release (its Cache-Control then shrinks with time).
 */
export function heldRepresentation(
  held: HeldRepresentation,
  bundle: FeedBundle,
  make: () => Representation,
): Representation {
  if (held.bundle !== bundle || !held.representation || bundle.nextRelease !== undefined) {
    held.representation = make()
    held.bundle = bundle
  }
  return held.representation
}

const pageRepresentations = new WeakMap<RenderedPage, Map<string, Representation>>()

/**
 * A page or OPML list as a representation, per Vary (its language may come from Accept-Language); a
 * page that holds a story back until a release has its Cache-Control cut to it, made again when
 * that changes (once a second at most), as a feed's is.
 */
export function pageRepresentation(page: RenderedPage, vary: string, now: number): Representation {
  let byVary = pageRepresentations.get(page)
  if (!byVary) pageRepresentations.set(page, (byVary = new Map<string, Representation>()))
  let representation = byVary.get(vary)
  const cacheControl = page.release
    ? feedCacheControl(page.release.policy, page.release.at, now)
    : page.cacheControl
  if (!representation || representation.headers['cache-control'] !== cacheControl) {
    const headers = {
      'content-type': page.contentType,
      'content-language': page.language,
      'cache-control': cacheControl,
      vary,
      ...(page.contentType === HTML_CONTENT_TYPE ? HTML_SECURITY : CORS),
    }
    representation = { variants: page.variants, lastModified: page.lastModified, headers }
    byVary.set(vary, representation)
  }
  return representation
}

/** Whether browsers on other origins may read a resource (feeds, OPML, the redirect; not the HTML pages). */
export function isCrossOrigin(kind: Resource['kind']): boolean {
  return kind !== 'directory' && kind !== 'preview' && kind !== 'partnerDirectory'
}
