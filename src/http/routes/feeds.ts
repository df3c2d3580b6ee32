import { Hono } from 'hono'
import { FORMATS, isFormat, type FeedDefinition } from '../../domain/feed-definition.ts'
import { LANGUAGE_TAG, LOCALES, isLocale } from '../../domain/locale.ts'
import { formatHttpDate } from '../../render/dates.ts'
import { ENCODINGS, type FeedBundle, type FeedVariant } from '../../services/feed-bundle.ts'
import type { FeedService } from '../../services/feed-service.ts'
import { feedUrls, type PublicationSettings } from '../../render/feed-model.ts'
import { chooseEncoding } from '../accept-encoding.ts'
import { isNotModified } from '../conditional-get.ts'
import type { AppEnv } from '../context.ts'
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

/** `GET/HEAD /{locale}/{feed}.{rss|atom|json}`: pre-encoded bytes, content-coded and conditional. */
export function feedRoutes(feeds: FeedService): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/:locale/:file', async (c) => {
    const { locale, file } = c.req.param()
    const dot = file.lastIndexOf('.')
    if (dot <= 0) throw new AppError('ROUTE_NOT_FOUND', { path: c.req.path })
    const feedId = file.slice(0, dot)
    const format = file.slice(dot + 1)
    if (!isLocale(locale)) throw new AppError('LOCALE_NOT_FOUND', { locale, available: LOCALES.join(', ') })
    if (!isFormat(format)) throw new AppError('FORMAT_NOT_FOUND', { format, available: FORMATS.join(', ') })
    const definition = feeds.feeds.find(feedId)
    if (!definition || !definition.locales.includes(locale)) {
      const available = feeds.feeds.forLocale(locale).map((d) => d.id)
      throw new AppError('FEED_NOT_FOUND', { feed: feedId, available: available.join(', ') })
    }

    const { bundle, stale, ageSeconds, outcome } = await feeds.getFeed(definition, locale, format)
    c.set('cache', outcome)
    const available = ENCODINGS.filter((e) => bundle.variants[e] !== undefined)
    const variant =
      bundle.variants[chooseEncoding(c.req.header('accept-encoding'), available)] ?? bundle.variants.identity
    const cached = headersFor(definition, bundle, variant, feeds.settings)
    // A stale copy says how old it is; its Last-Modified stays the content's own.
    const headers = stale ? { ...cached, age: String(ageSeconds) } : cached
    const conditional = {
      ifNoneMatch: c.req.header('if-none-match'),
      ifModifiedSince: c.req.header('if-modified-since'),
    }
    if (isNotModified(conditional, { etag: variant.etag, lastModified: bundle.lastModified })) {
      return new Response(null, { status: 304, headers })
    }
    if (c.req.method !== 'HEAD') c.set('bytes', variant.body.byteLength)
    return new Response(c.req.method === 'HEAD' ? null : variant.body, { status: 200, headers })
  })
  return app
}
