import type { Context, MiddlewareHandler } from 'hono'
import { audienceKey, primaryAudience } from '../domain/audience.ts'
import type { Locale } from '../domain/locale.ts'
import {
  feedPath,
  parsePath,
  partnerBasePath,
  RESOURCE_TEMPLATES,
  type Resource,
} from '../domain/url-scheme.ts'
import { audienceFor, readableFeeds } from '../domain/partner.ts'
import type { FeedService } from '../services/feed-service.ts'
import type { NinjsService } from '../services/ninjs-service.ts'
import type { ArchiveService } from '../services/archive-service.ts'
import type { PageService } from '../services/page-service.ts'
import { negotiateLocale } from './accept-language.ts'
import type { AppEnv } from './context.ts'
import { answer, serveFeedFor } from './serve-answer.ts'
import { AppError } from './errors.ts'
import type { Representation } from './representation.ts'
import {
  admitPartner,
  bearerKey,
  requireEntitled,
  type Admitted,
  type PartnerAccess,
} from './partner-access.ts'
import {
  isCrossOrigin,
  pageRepresentation,
  PREFLIGHT_HEADERS,
  REPRESENTATION_METHODS,
  requireFeed,
  requireLocale,
  requirePublic,
  resolveAnyFeed,
  resolveArchive,
  resolveFeed,
} from './resources.ts'

/** Pages whose language came from Accept-Language vary on it; `?lang=` and path locales do not. */
const VARY_NEGOTIATED = 'Accept-Language, Accept-Encoding'
export const VARY_FIXED = 'Accept-Encoding'

export interface ServeRepresentationsDeps {
  feeds: FeedService
  pages: PageService
  partners: PartnerAccess
  ninjs: NinjsService
  archives: ArchiveService
  /** `GET /{locale}/changes`: answered by the change cursor, not from a stored representation. */
  changes: (c: C, locale: Locale) => Promise<Response>
  now: () => number
}

type C = Context<AppEnv>

/**
 * The one serving pipeline of every stored representation the URL scheme names (feeds, previews,
 * the directory, OPML) and of the language redirect: the path is read by the URL codec, the
 * resource found (404 naming what exists), then GET and HEAD are answered by `answerRepresentation`
 * (variant, conditional GET, headers), OPTIONS with `Allow` (and the CORS leave of a preflight),
 * any other method with 405 and `Allow`. Paths the scheme does not name go on to the next handler.
 * The Node entry's hot front (`hot-front.ts`) answers hot feeds with the same functions.
 */
export function serveRepresentations(deps: ServeRepresentationsDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const resource = parsePath(c.req.path)
    if (!resource) return next()
    c.set('route', RESOURCE_TEMPLATES[resource.kind])
    const method = c.req.method
    if (method === 'GET' || method === 'HEAD') return get(deps, c, resource)
    resolve(deps, c, resource) // an unknown resource is a 404 whatever the method
    if (method !== 'OPTIONS') {
      const allow = { allow: REPRESENTATION_METHODS }
      throw new AppError('METHOD_NOT_ALLOWED', { method, allowed: REPRESENTATION_METHODS }, [], allow)
    }
    const preflight = isCrossOrigin(resource.kind) && c.req.header('access-control-request-method')
    return new Response(null, {
      status: 204,
      headers: preflight ? PREFLIGHT_HEADERS : { allow: REPRESENTATION_METHODS },
    })
  }
}

/** Finds what a resource names without reading it; throws the 404 when it names nothing that exists. */
function resolve({ feeds, now }: ServeRepresentationsDeps, c: C, resource: Resource): void {
  switch (resource.kind) {
    case 'feed':
    case 'partnerFeed':
      // A partners-only feed is refused in get() when no key admits the reader.
      resolveAnyFeed(feeds, resource)
      return
    case 'partnerOpml':
    case 'partnerDirectory':
      return
    case 'preview': {
      const locale = requireLocale(resource.locale)
      requirePublic(feeds, requireFeed(feeds, resource.feedId, locale), locale)
      return
    }
    case 'localeOpml':
      requireLocale(resource.locale)
      return
    case 'redirect':
      redirectTarget(feeds, resource.feedId)
      return
    case 'ninjsFeed':
      requireFeed(feeds, resource.feedId, requireLocale(resource.locale))
      return
    case 'ninjsItem':
    case 'changes':
      requireLocale(resource.locale)
      return
    case 'archive':
      resolveArchive(feeds, resource, now())
      return
    default:
      visitorLanguage(c)
  }
}

async function get(deps: ServeRepresentationsDeps, c: C, resource: Resource): Promise<Response> {
  const { feeds, pages, partners } = deps
  let representation: Representation
  let admitted: Admitted | undefined
  switch (resource.kind) {
    case 'feed':
    case 'partnerFeed': {
      // A key in the path is checked first, so a key that does not read learns nothing of the catalogue.
      const keyed = resource.kind === 'partnerFeed'
      const authorization = c.req.header('authorization')
      if (keyed) admitted = await admitPartner(partners, resource.key)
      else if (authorization !== undefined) admitted = await admitPartner(partners, bearerKey(authorization))
      if (!admitted) {
        const target = resolveFeed(feeds, resource)
        return serveFeedFor(deps, c, target, primaryAudience(target.definition))
      }
      const target = resolveAnyFeed(feeds, resource)
      requireEntitled(partners, admitted.partner, target.definition.id, target.locale)
      return serveFeedFor(
        deps,
        c,
        target,
        audienceKey(audienceFor(admitted.partner, target.definition)),
        admitted,
      )
    }
    case 'preview': {
      const locale = requireLocale(resource.locale)
      const definition = requireFeed(feeds, resource.feedId, locale)
      requirePublic(feeds, definition, locale)
      representation = pageRepresentation(await pages.preview(definition, locale), VARY_FIXED)
      break
    }
    case 'localeOpml': {
      const page = await pages.localeOpml(requireLocale(resource.locale))
      representation = pageRepresentation(page, VARY_FIXED)
      break
    }
    case 'directory':
    case 'allOpml': {
      const { locale, vary } = visitorLanguage(c)
      const page = resource.kind === 'directory' ? pages.directory(locale) : pages.allOpml(locale)
      representation = pageRepresentation(await page, vary)
      break
    }
    case 'partnerOpml':
    case 'partnerDirectory': {
      admitted = await admitPartner(partners, resource.key)
      const { locale, vary } = visitorLanguage(c)
      const { partner } = admitted
      const keyedBaseUrl = feeds.settings.publicBaseUrl + partnerBasePath(resource.key)
      const kind = resource.kind === 'partnerOpml' ? 'opml' : 'directory'
      const readable = readableFeeds(partner, feeds.feeds)
      const page = await pages.partnerPage(kind, readable, { name: partner.name, keyedBaseUrl }, locale)
      representation = pageRepresentation(page, vary)
      break
    }
    case 'ninjsFeed': {
      const locale = requireLocale(resource.locale)
      const definition = requireFeed(feeds, resource.feedId, locale)
      requirePublic(feeds, definition, locale)
      representation = pageRepresentation(await deps.ninjs.feedList(definition, locale), VARY_FIXED)
      break
    }
    case 'ninjsItem': {
      const locale = requireLocale(resource.locale)
      const item = await deps.ninjs.item(locale, resource.id)
      if (!item) throw new AppError('ITEM_NOT_FOUND', { id: resource.id, locale })
      representation = pageRepresentation(item, VARY_FIXED)
      break
    }
    case 'changes':
      return deps.changes(c, requireLocale(resource.locale))
    case 'archive':
      representation = await archiveRepresentation(deps, resource)
      break
    case 'redirect':
      return redirect(feeds, c, resource)
  }
  return answer(deps, c, representation, undefined, admitted)
}

/** `/{locale}/{feed}/archive/{month}.{format}`: a public feed's archive, or the 404 naming its months. */
async function archiveRepresentation(
  deps: ServeRepresentationsDeps,
  resource: Extract<Resource, { kind: 'archive' }>,
): Promise<Representation> {
  const { definition, locale, format, month } = resolveArchive(deps.feeds, resource, deps.now())
  const found = await deps.archives.month(definition, locale, month, format)
  if (found.kind === 'document') return pageRepresentation(found.page, VARY_FIXED)
  const params = { feed: definition.id, locale, format, month }
  if (found.kind === 'none') throw new AppError('ARCHIVE_NOT_FOUND', params)
  throw new AppError('ARCHIVE_MONTH_NOT_FOUND', { ...params, first: found.first, last: found.last })
}

/** The visitor's language: `?lang=` when given (an unknown one is a 404), else Accept-Language. */
function visitorLanguage(c: C): { locale: Locale; vary: string } {
  const lang = c.req.query('lang')
  if (lang === undefined) {
    return { locale: negotiateLocale(c.req.header('accept-language')), vary: VARY_NEGOTIATED }
  }
  return { locale: requireLocale(lang.toLowerCase(), lang), vary: VARY_FIXED }
}

function redirectTarget(feeds: FeedService, feedId: string) {
  const definition = feeds.feeds.find(feedId)
  if (!definition)
    throw new AppError('FEED_NOT_FOUND', { feed: feedId, available: feeds.feeds.ids.join(', ') })
  const [locale] = definition.locales
  if (locale) requirePublic(feeds, definition, locale)
  return definition
}

/** `/{feed}.{format}`: 302 to the feed in the best locale for Accept-Language. */
function redirect(feeds: FeedService, c: C, resource: Extract<Resource, { kind: 'redirect' }>): Response {
  const definition = redirectTarget(feeds, resource.feedId)
  const locale = negotiateLocale(c.req.header('accept-language'), definition.locales)
  return new Response(null, {
    status: 302,
    headers: {
      location: feedPath(locale, resource.feedId, resource.format),
      vary: 'Accept-Language',
      'cache-control': 'public, max-age=60',
      'access-control-allow-origin': '*',
    },
  })
}
