import { z } from 'zod'
import { ArticleSchema } from '../domain/article.ts'
import {
  CACHE_HEADERS,
  CONDITIONAL,
  feedOk,
  fixedOptions,
  json,
  jsonSchema,
  LOCALE_PARAM,
  METHOD_NOT_ALLOWED,
  NOT_MODIFIED,
  PARTNER_REFUSALS,
  problem,
  PUBLIC_OR_PARTNER,
  ref,
  STORAGE_UNAVAILABLE,
  text,
  type Operation,
} from './openapi-parts.ts'
import { ChangePageSchema, syncOperations } from './openapi-sync.ts'
import { FORMATS, type FeedCatalog } from '../domain/feed-definition.ts'
import { LOCALES } from '../domain/locale.ts'
import { PublishReportSchema, republishSchemaFor } from '../domain/republish.ts'
import { partnerOperations } from './openapi-partners.ts'
import { HealthSchema, ProblemSchema, ReadinessSchema } from './openapi-schemas.ts'
import { allowOf, FIXED_ROUTES, routeTable, type Method } from './route-table.ts'

const isFixed = (kind: string): kind is keyof typeof FIXED_ROUTES => kind in FIXED_ROUTES

/** The GET operation of each route (HEAD and OPTIONS are derived from it), or its POST. */
function operations(catalog: FeedCatalog): Record<string, Operation> {
  const param = (name: string, schema: z.ZodType) => ({
    name,
    in: 'path',
    required: true,
    schema: jsonSchema(schema),
  })
  const locale = { ...param('locale', z.enum(LOCALES)), description: LOCALE_PARAM }
  const feed = param('feed', z.enum(catalog.ids as [string, ...string[]]))
  const format = param('format', z.enum(FORMATS))
  const lang = { name: 'lang', in: 'query', schema: jsonSchema(z.enum(LOCALES)) }
  const acceptLanguage = { name: 'Accept-Language', in: 'header', schema: { type: 'string' } }
  const page = (description: string) => ({ ...text(description, 'text/html'), headers: CACHE_HEADERS })
  const opml = { ...text('OPML 2.0', 'text/x-opml'), headers: CACHE_HEADERS }
  return {
    ...partnerOperations({ locale, feed, format, conditional: CONDITIONAL, problem, json }),
    ...syncOperations(locale, feed, param),
    feed: {
      summary: 'A feed in one locale and format (a partner’s with Authorization: Bearer <key>)',
      parameters: [locale, feed, format, ...CONDITIONAL],
      security: PUBLIC_OR_PARTNER,
      responses: {
        '200': feedOk('The feed (pre-encoded; gzip or brotli by Accept-Encoding)'),
        '304': NOT_MODIFIED,
        ...PARTNER_REFUSALS,
        '404': problem('Unknown locale, feed or format; the detail names what exists'),
        '503': STORAGE_UNAVAILABLE,
      },
    },
    preview: {
      summary: 'HTML preview of one feed',
      parameters: [locale, feed, ...CONDITIONAL],
      responses: {
        '200': page('The page'),
        '304': NOT_MODIFIED,
        '404': problem('Unknown locale or feed'),
        '503': STORAGE_UNAVAILABLE,
      },
    },
    localeOpml: {
      summary: 'OPML 2.0 subscription list of one locale’s feeds',
      parameters: [locale, ...CONDITIONAL],
      responses: {
        '200': opml,
        '304': NOT_MODIFIED,
        '404': problem('Unknown locale'),
        '503': STORAGE_UNAVAILABLE,
      },
    },
    allOpml: {
      summary: 'OPML 2.0 subscription list of every feed, grouped by locale',
      parameters: [lang, acceptLanguage, ...CONDITIONAL],
      responses: {
        '200': opml,
        '304': NOT_MODIFIED,
        '404': problem('Unknown lang'),
        '503': STORAGE_UNAVAILABLE,
      },
    },
    directory: {
      summary: 'HTML directory of every feed in every locale, in the visitor’s language',
      parameters: [lang, acceptLanguage, ...CONDITIONAL],
      responses: {
        '200': page('The page'),
        '304': NOT_MODIFIED,
        '404': problem('Unknown lang'),
        '503': STORAGE_UNAVAILABLE,
      },
    },
    redirect: {
      summary: 'Redirect to the feed in the best locale for Accept-Language (default zh)',
      parameters: [feed, format, acceptLanguage],
      responses: {
        '302': {
          description: 'Location: /{locale}/{feed}.{format}; Vary: Accept-Language',
          headers: { Location: { schema: { type: 'string' } } },
        },
        '404': problem('Unknown feed; the detail names the feeds'),
      },
    },
    healthz: {
      summary: 'Liveness: the process answers (no storage request)',
      responses: { '200': json('Alive', ref('Health')) },
    },
    readyz: {
      summary: 'Readiness: storage answers too, with its latency',
      responses: {
        '200': json('Ready', ref('Readiness')),
        '503': json(
          'Storage unreachable (Retry-After), or misconfigured (no Retry-After: the variables to check)',
          ref('Readiness'),
        ),
      },
    },
    metrics: {
      summary: 'Prometheus text format (Node only; Authorization: Bearer METRICS_TOKEN when it is set)',
      responses: {
        '200': text('The metrics', 'text/plain'),
        '401': problem('Missing or wrong bearer token'),
        '404': problem('Not served here (Workers)'),
      },
    },
    openapi: {
      summary: 'This document',
      responses: { '200': json('OpenAPI 3.1', { type: 'object' }) },
    },
    webhook: {
      summary: 'Store, correct or pull stories and regenerate the affected feeds',
      parameters: [
        {
          name: 'Silkfeed-Signature',
          in: 'header',
          required: true,
          description: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>',
          schema: { type: 'string' },
        },
        { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', minLength: 1, maxLength: 200 } },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: ref('RepublishPayload') } } },
      responses: {
        '200': json('Every affected feed regenerated and durable', ref('PublishReport')),
        '400': problem('Malformed JSON, or a body that is not UTF-8'),
        '401': problem('Missing, malformed, wrong or stale signature'),
        '408': problem('The body did not all arrive in time'),
        '409': problem('Idempotency-Key reused with a different body'),
        '413': problem('Body over the configured limit'),
        '415': problem('Not application/json'),
        '422': problem('Invalid payload; every problem listed with its JSON path'),
        '503': problem('Storage unavailable, or too many bodies arriving at once; retry after Retry-After'),
      },
    },
  }
}

/** Routes whose OPTIONS checks more of the path than what exists: a malformed month or id is a 400. */
const OPTIONS_400 = new Set(['archive', 'ninjsItem', 'partnerNinjsItem'])

/**
 * HEAD answers as GET without a body; OPTIONS says what is allowed (and, on the URL scheme's paths,
 * answers CORS preflights).
 */
function derived(get: Operation, method: Method, kind: string): Operation {
  if (method === 'options' && isFixed(kind)) {
    // Metrics are served where the platform provides them (Node): elsewhere its OPTIONS is the 404 too.
    return fixedOptions(
      get,
      allowOf(FIXED_ROUTES[kind]),
      kind === 'metrics' ? get.responses['404'] : undefined,
    )
  }
  if (method === 'head') {
    const responses = Object.fromEntries(
      Object.entries(get.responses).map(([status, r]) => [status, { ...r, content: undefined }]),
    )
    return { ...get, summary: `${get.summary} (headers only)`, responses }
  }
  return {
    summary: 'Allow, and the CORS preflight of browser readers on other origins',
    parameters: get.parameters?.filter((p) => (p as { in: string }).in === 'path'),
    responses: {
      '204': {
        description:
          'Allow: GET, HEAD, OPTIONS; to a preflight also Access-Control-Allow-Methods, -Headers and -Max-Age',
      },
      ...(OPTIONS_400.has(kind) && get.responses['400'] ? { '400': get.responses['400'] } : {}),
      '404': problem('Nothing exists here'),
    },
  }
}

/** The OpenAPI 3.1 document: every route of the route table, its schemas generated from zod. */
export function buildOpenApi(catalog: FeedCatalog, publicBaseUrl: string): object {
  const byKind = operations(catalog)
  const paths: Record<string, Record<string, Operation>> = {}
  for (const { path, methods, kind } of routeTable()) {
    const main = byKind[kind]
    if (!main) throw new Error(`no OpenAPI operation for route ${kind}`)
    paths[path] = Object.fromEntries(
      methods.map((method) => {
        const operation =
          byKind[`${kind}.${method}`] ??
          (method === 'get' || method === 'post' ? main : derived(main, method, kind))
        // Every path refuses the methods it does not list (the app's 405, with Allow).
        return [method, { ...operation, responses: { ...operation.responses, '405': METHOD_NOT_ALLOWED } }]
      }),
    )
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Silkfeed',
      version: '0.1.0',
      description: 'Multilingual news feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1) and the republish webhook.',
    },
    servers: [{ url: publicBaseUrl }],
    paths,
    components: {
      schemas: {
        Article: jsonSchema(ArticleSchema, 'input'),
        RepublishPayload: jsonSchema(republishSchemaFor(catalog), 'input'),
        PublishReport: jsonSchema(PublishReportSchema),
        Problem: jsonSchema(ProblemSchema),
        ChangePage: jsonSchema(ChangePageSchema),
        Health: jsonSchema(HealthSchema),
        Readiness: jsonSchema(ReadinessSchema),
      },
      securitySchemes: {
        partnerKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A partner key (sf_…): the partner’s view of a feed or change cursor',
        },
      },
    },
  }
}
