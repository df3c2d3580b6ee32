import { Hono, type Context } from 'hono'
import { FORMATS } from '../../domain/feed-definition.ts'
import { LOCALES, isLocale, type Locale } from '../../domain/locale.ts'
import { formatHttpDate } from '../../render/dates.ts'
import type { FeedService } from '../../services/feed-service.ts'
import {
  HTML_CONTENT_TYPE,
  PageService,
  type PageVariant,
  type RenderedPage,
} from '../../services/page-service.ts'
import { clientAcceptEncoding, PRECOMPRESSED, variantFor } from '../accept-encoding.ts'
import { negotiateLocale } from '../accept-language.ts'
import { isNotModified } from '../conditional-get.ts'
import type { AppEnv } from '../context.ts'
import { AppError } from '../errors.ts'

/** Pages whose language came from Accept-Language vary on it; `?lang=` and path locales do not. */
const VARY_NEGOTIATED = 'Accept-Language, Accept-Encoding'
const VARY_FIXED = 'Accept-Encoding'

// No script runs on these pages, and nothing but their inline style is loaded: an article title
// that slipped past escaping still could not execute.
const HTML_SECURITY = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
}

// Response headers are built once per variant and Vary, and reused by every request for them.
const headerCache = new WeakMap<PageVariant, Map<string, Record<string, string>>>()

function headersFor(page: RenderedPage, variant: PageVariant, vary: string): Record<string, string> {
  let byVary = headerCache.get(variant)
  if (!byVary) headerCache.set(variant, (byVary = new Map()))
  let headers = byVary.get(vary)
  if (!headers) {
    headers = {
      'content-type': page.contentType,
      'content-language': page.language,
      etag: variant.etag,
      'last-modified': formatHttpDate(page.lastModified),
      'cache-control': page.cacheControl,
      vary,
      ...(page.contentType === HTML_CONTENT_TYPE
        ? HTML_SECURITY
        : { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'ETag, Last-Modified' }),
      ...(variant.encoding === 'identity' ? {} : { 'content-encoding': variant.encoding }),
    }
    byVary.set(vary, headers)
  }
  return headers
}

/** Answers with a pre-rendered page: content-coded by Accept-Encoding, 304 when the client has it. */
function sendPage(c: Context<AppEnv>, page: RenderedPage, vary: string): Response {
  const variant = variantFor(page, clientAcceptEncoding(c.req.raw))
  const headers = headersFor(page, variant, vary)
  const conditional = {
    ifNoneMatch: c.req.header('if-none-match'),
    ifModifiedSince: c.req.header('if-modified-since'),
  }
  if (isNotModified(conditional, { etag: variant.etag, lastModified: page.lastModified })) {
    return new Response(null, { status: 304, headers })
  }
  if (c.req.method !== 'HEAD') c.set('bytes', variant.body.byteLength)
  return new Response(c.req.method === 'HEAD' ? null : variant.body, {
    status: 200,
    headers,
    ...PRECOMPRESSED,
  })
}

/** The visitor's language: `?lang=` when given (an unknown one is a 404), else Accept-Language. */
function visitorLanguage(c: Context<AppEnv>): { locale: Locale; vary: string } {
  const lang = c.req.query('lang')
  if (lang === undefined) {
    return { locale: negotiateLocale(c.req.header('accept-language')), vary: VARY_NEGOTIATED }
  }
  const locale = lang.toLowerCase()
  if (!isLocale(locale)) {
    throw new AppError('LOCALE_NOT_FOUND', { locale: lang, available: LOCALES.join(', ') })
  }
  return { locale, vary: VARY_FIXED }
}

function requireLocale(locale: string): Locale {
  if (!isLocale(locale)) throw new AppError('LOCALE_NOT_FOUND', { locale, available: LOCALES.join(', ') })
  return locale
}

const FEED_FILE = `{[a-z0-9][a-z0-9-]*\\.(?:${FORMATS.join('|')})}`

/**
 * The human side and the language redirect: `GET /` (directory), `/{locale}/{feed}` (preview),
 * `/feeds.opml` and `/{locale}/feeds.opml` (OPML 2.0), and `/{feed}.{format}` (302 to the best
 * locale for Accept-Language). Mounted before `feedRoutes`, whose `/:locale/:file` would take
 * `/{locale}/feeds.opml` for a feed.
 */
export function pageRoutes(feeds: FeedService, pages = new PageService(feeds)): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/', async (c) => {
    const { locale, vary } = visitorLanguage(c)
    return sendPage(c, await pages.directory(locale), vary)
  })

  app.get('/feeds.opml', async (c) => {
    const { locale, vary } = visitorLanguage(c)
    return sendPage(c, await pages.allOpml(locale), vary)
  })

  app.get(`/:file${FEED_FILE}`, (c) => {
    const file = c.req.param('file')
    const dot = file.lastIndexOf('.')
    const feedId = file.slice(0, dot)
    const definition = feeds.feeds.find(feedId)
    if (!definition) {
      throw new AppError('FEED_NOT_FOUND', { feed: feedId, available: feeds.feeds.ids.join(', ') })
    }
    const locale = negotiateLocale(c.req.header('accept-language'), definition.locales)
    return new Response(null, {
      status: 302,
      headers: {
        location: `/${locale}/${file}`,
        vary: 'Accept-Language',
        'cache-control': 'public, max-age=60',
        'access-control-allow-origin': '*',
      },
    })
  })

  app.get('/:locale/feeds.opml', async (c) => {
    const locale = requireLocale(c.req.param('locale'))
    return sendPage(c, await pages.localeOpml(locale), VARY_FIXED)
  })

  app.get('/:locale/:feed{[a-z0-9][a-z0-9-]*}', async (c) => {
    const locale = requireLocale(c.req.param('locale'))
    const feedId = c.req.param('feed')
    const definition = feeds.feeds.find(feedId)
    if (!definition || !definition.locales.includes(locale)) {
      const available = feeds.feeds.forLocale(locale).map((d) => d.id)
      throw new AppError('FEED_NOT_FOUND', { feed: feedId, available: available.join(', ') })
    }
    return sendPage(c, await pages.preview(definition, locale), VARY_FIXED)
  })

  return app
}
