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
import type { ChangesReader } from './routes/changes.ts'
import type { PageService } from '../services/page-service.ts'
import { negotiateLocale } from './accept-language.ts'
import type { AppEnv } from './context.ts'
import { answer, serveFeedFor } from './serve-answer.ts'
import { AppError } from './errors.ts'
import { VARY_FIXED, type Representation } from './representation.ts'
import { ninjsRepresentation, resolveNinjs } from './ninjs-answers.ts'
import {
  admitPartner,
  admitReader,
  changesReader,
  requireEntitled,
  type Admitted,
  type PartnerAccess,
} from './partner-access.ts'
import {
  archiveRepresentation,
  isCrossOrigin,
  pageRepresentation,
  PREFLIGHT_HEADERS,
  REPRESENTATION_METHODS,
  requireFeed,
  requireLocale,
  requireNamedFeed,
  requirePublic,
  resolveAnyFeed,
  resolveArchive,
  resolveFeed,
} from './resources.ts'

/** Pages whose language came from Accept-Language vary on it; `?lang=` and path locales do not. */
const VARY_NEGOTIATED = 'Accept-Language, Accept-Encoding'

export interface ServeRepresentationsDeps {
  feeds: FeedService
  pages: PageService
  partners: PartnerAccess
  ninjs: NinjsService
  archives: ArchiveService
  /** `GET /{locale}/changes`: answered by the change cursor, not from a stored representation. */
  changes: (c: C, locale: Locale, reader?: ChangesReader) => Promise<Response>
  now: () => number
}

type C = Context<AppEnv>

/**
 * The one serving pipeline of every stored representation the URL scheme names (feeds, archives,
 * previews, the directory, OPML) and of the language redirect: path read by the URL codec, resource
 * found (404 naming what exists), GET and HEAD answered by `answerRepresentation` (variant,
 * conditional GET, headers), OPTIONS with `Allow` (a preflight's CORS leave), other methods 405 with
 * `Allow`; other paths go on. The Node hot front (`hot-front.ts`) answers hot ones the same way.
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
      resolveAnyFeed(feeds, resource, resource.kind === 'feed' ? 'public' : 'all')
      return
    case 'partnerOpml':
    case 'partnerDirectory':
    case 'partnerChanges':
      return
    case 'preview': {
      const locale = requireLocale(resource.locale)
      requirePublic(feeds, requireFeed(feeds, resource.feedId, locale), locale)
      return
    }
    case 'redirect':
      redirectTarget(feeds, resource.feedId)
      return
    case 'ninjsFeed':
    case 'ninjsItem':
    case 'partnerNinjsFeed':
    case 'partnerNinjsItem':
      resolveNinjs(feeds, resource)
      return
    case 'localeOpml':
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
  const { feeds, pages, partners, now } = deps
  let representation: Representation
  let admitted: Admitted | undefined
  switch (resource.kind) {
    case 'feed':
    case 'partnerFeed': {
      // A key in the path is checked first, so a key that does not read learns nothing of the catalogue.
      const keyInPath = resource.kind === 'partnerFeed' ? resource.key : undefined
      admitted = await admitReader(partners, keyInPath, c.req.header('authorization'))
      if (admitted) c.set('quotaHeaders', admitted.headers)
      if (!admitted) {
        const target = resolveFeed(feeds, resource)
        return serveFeedFor(deps, c, target, primaryAudience(target.definition))
      }
      const target = resolveAnyFeed(feeds, resource)
      requireEntitled(partners, admitted.partner, target.definition.id, target.locale)
      const audience = audienceKey(audienceFor(admitted.partner, target.definition))
      return serveFeedFor(deps, c, target, audience, admitted)
    }
    case 'preview': {
      const locale = requireLocale(resource.locale)
      const definition = requireFeed(feeds, resource.feedId, locale)
      requirePublic(feeds, definition, locale)
      representation = pageRepresentation(await pages.preview(definition, locale), VARY_FIXED, now())
      break
    }
    case 'localeOpml': {
      const page = await pages.localeOpml(requireLocale(resource.locale))
      representation = pageRepresentation(page, VARY_FIXED, now())
      break
    }
    case 'directory':
    case 'allOpml': {
      const { locale, vary } = visitorLanguage(c)
      const page = resource.kind === 'directory' ? pages.directory(locale) : pages.allOpml(locale)
      representation = pageRepresentation(await page, vary, now())
      break
    }
    case 'partnerOpml':
    case 'partnerDirectory': {
      admitted = await admitPartner(partners, resource.key)
      c.set('quotaHeaders', admitted.headers)
      const { locale, vary } = visitorLanguage(c)
      const { partner } = admitted
      const keyedBaseUrl = feeds.settings.publicBaseUrl + partnerBasePath(resource.key)
      const kind = resource.kind === 'partnerOpml' ? 'opml' : 'directory'
      const readable = readableFeeds(partner, feeds.feeds)
      const page = await pages.partnerPage(kind, readable, { name: partner.name, keyedBaseUrl }, locale)
      representation = pageRepresentation(page, vary, now())
      break
    }
    case 'ninjsFeed':
    case 'ninjsItem':
    case 'partnerNinjsFeed':
    case 'partnerNinjsItem': {
      const authorization = c.req.header('authorization')
      admitted = await admitReader(partners, 'key' in resource ? resource.key : undefined, authorization)
      if (admitted) c.set('quotaHeaders', admitted.headers)
      representation = await ninjsRepresentation(deps, resource, admitted, now())
      break
    }
    case 'changes':
    case 'partnerChanges': {
      const keyInPath = resource.kind === 'partnerChanges' ? resource.key : undefined
      admitted = await admitReader(partners, keyInPath, c.req.header('authorization'))
      if (admitted) c.set('quotaHeaders', admitted.headers)
      const locale = requireLocale(resource.locale)
      if (!admitted) return deps.changes(c, locale)
      // Read by its keyed URL (a no-store answer), a partner's item links are keyed too.
      const keyed = keyInPath && feeds.settings.publicBaseUrl + partnerBasePath(keyInPath)
      const reader = changesReader(partners, admitted.partner, locale, keyed)
      return deps.changes(c, locale, { reader, admitted })
    }
    case 'archive':
      representation = await archiveRepresentation(feeds, deps.archives, resource, now())
      break
    case 'redirect':
      return redirect(feeds, c, resource)
  }
  return answer(deps, c, representation, undefined, admitted)
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
  const definition = requireNamedFeed(feeds, feedId)
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
