import { Hono } from 'hono'
import { CONTENT_TYPE, FORMATS, isFormat } from '../../domain/feed-definition.ts'
import { LANGUAGE_TAG, LOCALES, isLocale } from '../../domain/locale.ts'
import { formatHttpDate } from '../../render/dates.ts'
import type { FeedService } from '../../services/feed-service.ts'
import { isNotModified } from '../conditional-get.ts'
import { AppError } from '../errors.ts'

/** `GET/HEAD /{locale}/{feed}.{rss|atom|json}`. */
export function feedRoutes(feeds: FeedService): Hono {
  const app = new Hono()
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
    const feed = await feeds.getFeed(definition, locale, format)
    const { maxAge, staleWhileRevalidate, staleIfError } = definition.cache
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPE[format],
      'content-language': LANGUAGE_TAG[locale],
      etag: feed.etag,
      'last-modified': formatHttpDate(feed.lastModified),
      'cache-control': `public, max-age=${maxAge}, stale-while-revalidate=${staleWhileRevalidate}, stale-if-error=${staleIfError}`,
      vary: 'Accept-Encoding',
      'access-control-allow-origin': '*',
    }
    const conditional = {
      ifNoneMatch: c.req.header('if-none-match'),
      ifModifiedSince: c.req.header('if-modified-since'),
    }
    if (isNotModified(conditional, feed)) return c.body(null, 304, headers)
    return c.body(feed.body, 200, headers)
  })
  return app
}
