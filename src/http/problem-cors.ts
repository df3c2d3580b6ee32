import { RESOURCE_TEMPLATES, type ResourceKind } from '../domain/url-scheme.ts'
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
 * A problem answered on `route` (the template the serving pipeline set, if it took the request),
 * open to other origins when the resource's own answers are; left closed elsewhere (the HTML pages,
 * the webhook, the admin routes).
 */
export function openProblem(res: Response, route: string | undefined): Response {
  if (route === undefined || !CROSS_ORIGIN_ROUTES.has(route)) return res
  for (const [name, value] of Object.entries(PROBLEM_CORS)) res.headers.set(name, value)
  return res
}
