import { RESOURCE_TEMPLATES, type ResourceKind } from '../domain/url-scheme.ts'

/** An HTTP method as the route table and OpenAPI name it. */
export type Method = 'get' | 'head' | 'options' | 'post'

/** A route of the app that is not a stored representation: its path (Hono and OpenAPI alike) and methods. */
export interface FixedRoute {
  path: string
  methods: readonly Method[]
}

/** The app's fixed routes. Hono registers them from here, and the OpenAPI document describes them. */
export const FIXED_ROUTES = {
  healthz: { path: '/healthz', methods: ['get', 'head'] },
  readyz: { path: '/readyz', methods: ['get', 'head'] },
  metrics: { path: '/metrics', methods: ['get', 'head'] },
  openapi: { path: '/openapi.json', methods: ['get', 'head'] },
  webhook: { path: '/webhooks/republish', methods: ['post'] },
  adminPartners: { path: '/admin/partners', methods: ['get', 'post'] },
  adminPartner: { path: '/admin/partners/{id}', methods: ['get'] },
  adminRotate: { path: '/admin/partners/{id}/rotate', methods: ['post'] },
  adminRevoke: { path: '/admin/partners/{id}/revoke', methods: ['post'] },
} as const satisfies Record<string, FixedRoute>

/** Methods of every resource the URL scheme names (`serveRepresentations`); the redirect is GET-only in spirit, HEAD and OPTIONS alike. */
const RESOURCE_METHODS: readonly Method[] = ['get', 'head', 'options']

/**
 * Every route: path template and methods, the fixed ones and the URL scheme's, for the OpenAPI
 * document. A fixed route answers OPTIONS too (its 204 with Allow), so the document lists it.
 */
export function routeTable(): {
  path: string
  methods: readonly Method[]
  kind: ResourceKind | keyof typeof FIXED_ROUTES
}[] {
  return [
    ...Object.entries(FIXED_ROUTES).map(([kind, route]) => ({
      path: route.path,
      methods: [...route.methods, 'options' as const],
      kind: kind as keyof typeof FIXED_ROUTES,
    })),
    ...Object.entries(RESOURCE_TEMPLATES).map(([kind, path]) => ({
      path,
      methods: RESOURCE_METHODS,
      kind: kind as ResourceKind,
    })),
  ]
}

/**
 * Every method some route answers, as an Allow header lists them (`GET, HEAD, OPTIONS, POST`): what
 * a request with a method no route knows is told.
 */
export function serviceMethods(): string {
  const methods = new Set<Method>(['options', ...RESOURCE_METHODS])
  for (const route of Object.values(FIXED_ROUTES)) for (const method of route.methods) methods.add(method)
  return [...methods]
    .map((m) => m.toUpperCase())
    .sort()
    .join(', ')
}

/** A route's path as Hono matches it (`{id}` → `:id`). */
export function honoPath(route: FixedRoute): string {
  return route.path.replace(/\{(\w+)\}/g, ':$1')
}

/** The Allow header of a fixed route. */
export function allowOf(route: FixedRoute): string {
  return [...route.methods, 'options'].map((m) => m.toUpperCase()).join(', ')
}
