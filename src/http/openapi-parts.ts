import { z } from 'zod'

/** Pieces every OpenAPI operation is made of (shared by openapi.ts and openapi-sync.ts). */

export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output') {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  })
  return rest
}

export const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
})
/** The 503 of an operation that reads storage: nothing to serve until it answers again. */
export const STORAGE_UNAVAILABLE = {
  ...problem('Storage unavailable and no copy to serve; see Retry-After'),
  headers: { 'Retry-After': { schema: { type: 'string' } } },
}
/** Every operation's: any method its path does not list is refused, with the ones it does. */
export const METHOD_NOT_ALLOWED = {
  ...problem('Any other method on this path (PUT, DELETE, …); Allow lists the methods it answers'),
  headers: { Allow: { schema: { type: 'string' } } },
}
/** The refusals of a partner key, whether sent in the path or as `Authorization: Bearer <key>`. */
export const PARTNER_REFUSALS = {
  '401': problem('Not an active key (unknown, malformed, revoked or rotated out: one answer)'),
  '403': problem('Outside the key’s agreement; the detail names what it may read'),
  '429': problem('Over the key’s quota; Retry-After, RateLimit-Policy, RateLimit'),
}
/** What every `{locale}` path parameter says of the 404 a locale that is none gets. */
export const LOCALE_PARAM =
  'One of the locales, as written here. A locale written another way (RU, zh_hant, zh-Hant, uz-Latn, kk-Cyrl) is a 404 LOCALE_NEAR_MISS whose detail names the locale meant and the URL with it; any other is a 404 LOCALE_NOT_FOUND naming the locales'
/** Reads that take a partner key as `Authorization: Bearer <key>` as well as none. */
export const PUBLIC_OR_PARTNER = [{}, { partnerKey: [] }]
export const json = (description: string, schema: object) => ({
  description,
  content: { 'application/json': { schema } },
})
export const text = (description: string, type: string) => ({
  description,
  content: { [type]: { schema: { type: 'string' } } },
})
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
export const CACHE_HEADERS = {
  ETag: { schema: { type: 'string' } },
  'Last-Modified': { schema: { type: 'string' } },
  'Cache-Control': { schema: { type: 'string' } },
  Vary: { schema: { type: 'string' } },
}
export const CONDITIONAL = [
  { name: 'If-None-Match', in: 'header', schema: { type: 'string' } },
  {
    name: 'If-Modified-Since',
    in: 'header',
    description: 'an HTTP-date; anything else is ignored',
    schema: { type: 'string' },
  },
]
export const NOT_MODIFIED = {
  description: 'Not modified: the ETag, Last-Modified, Cache-Control and Vary of the 200, no body headers',
  headers: CACHE_HEADERS,
}

/**
 * The OPTIONS of a fixed route (health, metrics, the webhook, admin): a 204 whose Allow lists the
 * route's methods, no CORS preflight answer; `notServed`, the 404 of a route a platform may lack.
 */
export function fixedOptions(main: Operation, allow: string, notServed?: object): Operation {
  return {
    summary: 'Allow: the methods this path answers',
    parameters: main.parameters?.filter((p) => (p as { in: string }).in === 'path'),
    responses: {
      '204': { description: `No body; Allow: ${allow}`, headers: { Allow: { schema: { type: 'string' } } } },
      ...(notServed ? { '404': notServed } : {}),
    },
  }
}

export interface Operation {
  summary: string
  parameters?: object[]
  security?: object[]
  requestBody?: object
  responses: Record<string, object>
}

/** A feed's (or archive's) 200: its three formats, with the caching headers. */
export const feedOk = (description: string) => ({
  description,
  headers: CACHE_HEADERS,
  content: {
    'application/rss+xml': { schema: { type: 'string' } },
    'application/atom+xml': { schema: { type: 'string' } },
    'application/feed+json': { schema: { type: 'object' } },
  },
})
