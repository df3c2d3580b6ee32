import type { Context } from 'hono'
import { RESOURCE_TEMPLATES, type ResourceKind } from '../domain/url-scheme.ts'
import type { AppEnv } from './context.ts'
import { isCrossOrigin } from './resources.ts'

/**
 * The CORS headers of a problem answer on a resource open to other origins: a reader there can read
 * why it was refused (a 404, a 400 cursor, a 410, a 429, a 503) and when to come back.
 */
const PROBLEM_CORS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Retry-After, RateLimit, RateLimit-Policy, X-Request-Id',
}

/** The route templates (as the serving pipeline sets them) of the resources open to other origins. */
const CROSS_ORIGIN_ROUTES: ReadonlySet<string> = new Set(
  Object.entries(RESOURCE_TEMPLATES)
    .filter(([kind]) => isCrossOrigin(kind as ResourceKind))
    .map(([, template]) => template),
)

/**
 * A problem answer with the headers it shares with the resource's own answers: CORS where those are
 * open to other origins (never the HTML pages, the webhook or the admin routes: the route is the
 * template the serving pipeline set, if it took the request); and, once a partner's key was admitted
 * (the request counted against its quota), the quota's RateLimit headers and `Vary: Authorization`.
 */
export function withResourceHeaders(res: Response, c: Context<AppEnv>): Response {
  const route = c.get('route')
  const quotaHeaders = c.get('quotaHeaders')
  if (route !== undefined && CROSS_ORIGIN_ROUTES.has(route))
    for (const [name, value] of Object.entries(PROBLEM_CORS)) res.headers.set(name, value)
  if (quotaHeaders) {
    for (const [name, value] of Object.entries(quotaHeaders))
      if (!res.headers.has(name)) res.headers.set(name, value)
    res.headers.set('vary', 'Authorization')
  }
  return res
}
