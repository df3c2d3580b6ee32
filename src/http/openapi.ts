import { z } from 'zod'
import { ArticleSchema } from '../domain/article.ts'
import { FORMATS, type FeedCatalog } from '../domain/feed-definition.ts'
import { LOCALES } from '../domain/locale.ts'
import { PublishReportSchema, republishSchemaFor } from '../domain/republish.ts'

/** RFC 9457 problem details, with Silkfeed's `code` and per-field `problems`. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  code: z.string(),
  problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
})

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output') {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  })
  return rest
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
})

/** The OpenAPI 3.1 document, generated from the zod schemas the code validates with. */
export function buildOpenApi(catalog: FeedCatalog, publicBaseUrl: string): object {
  const feedResponse = {
    description: 'The feed (pre-encoded; gzip or brotli by Accept-Encoding)',
    headers: {
      ETag: { schema: { type: 'string' } },
      'Last-Modified': { schema: { type: 'string' } },
      'Cache-Control': { schema: { type: 'string' } },
    },
    content: {
      'application/rss+xml': { schema: { type: 'string' } },
      'application/atom+xml': { schema: { type: 'string' } },
      'application/feed+json': { schema: { type: 'object' } },
    },
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Silkfeed',
      version: '0.1.0',
      description: 'Multilingual news feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1) and the republish webhook.',
    },
    servers: [{ url: publicBaseUrl }],
    paths: {
      '/{locale}/{feed}.{format}': {
        get: {
          summary: 'A feed in one locale and format',
          parameters: [
            { name: 'locale', in: 'path', required: true, schema: { type: 'string', enum: [...LOCALES] } },
            { name: 'feed', in: 'path', required: true, schema: { type: 'string', enum: catalog.ids } },
            { name: 'format', in: 'path', required: true, schema: { type: 'string', enum: [...FORMATS] } },
            { name: 'If-None-Match', in: 'header', schema: { type: 'string' } },
            { name: 'If-Modified-Since', in: 'header', schema: { type: 'string' } },
          ],
          responses: {
            '200': feedResponse,
            '304': {
              description: 'Not modified: same ETag, Last-Modified, Cache-Control and Vary as the 200',
            },
            '404': problem('Unknown locale, feed or format; the detail names what exists'),
            '503': problem('Storage unavailable and no copy to serve; see Retry-After'),
          },
        },
      },
      '/webhooks/republish': {
        post: {
          summary: 'Store, correct or pull stories and regenerate the affected feeds',
          parameters: [
            {
              name: 'Silkfeed-Signature',
              in: 'header',
              required: true,
              description: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>',
              schema: { type: 'string' },
            },
            {
              name: 'Idempotency-Key',
              in: 'header',
              schema: { type: 'string', minLength: 1, maxLength: 200 },
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/RepublishPayload' } } },
          },
          responses: {
            '200': {
              description: 'Every affected feed regenerated and durable',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/PublishReport' } } },
            },
            '400': problem('Malformed JSON'),
            '401': problem('Missing, malformed, wrong or stale signature'),
            '409': problem('Idempotency-Key reused with a different body'),
            '413': problem('Body over the configured limit'),
            '415': problem('Not application/json'),
            '422': problem('Invalid payload; every problem listed with its JSON path'),
            '503': problem('Storage unavailable; retry after Retry-After'),
          },
        },
      },
      '/healthz': {
        get: { summary: 'Liveness and storage reachability', responses: { '200': { description: 'OK' } } },
      },
      '/': {
        get: {
          summary: 'HTML directory of every feed in every locale, in the visitor’s language',
          parameters: [
            { name: 'lang', in: 'query', schema: { type: 'string', enum: [...LOCALES] } },
            { name: 'Accept-Language', in: 'header', schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } },
            '304': { description: 'Not modified' },
            '404': problem('Unknown lang'),
          },
        },
      },
      '/{locale}/{feed}': {
        get: {
          summary: 'HTML preview of one feed',
          parameters: [
            { name: 'locale', in: 'path', required: true, schema: { type: 'string', enum: [...LOCALES] } },
            { name: 'feed', in: 'path', required: true, schema: { type: 'string', enum: catalog.ids } },
          ],
          responses: {
            '200': { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } },
            '304': { description: 'Not modified' },
            '404': problem('Unknown locale or feed; the detail names what exists'),
          },
        },
      },
      '/feeds.opml': {
        get: {
          summary: 'OPML 2.0 subscription list of every feed, grouped by locale',
          parameters: [{ name: 'lang', in: 'query', schema: { type: 'string', enum: [...LOCALES] } }],
          responses: {
            '200': { description: 'OPML', content: { 'text/x-opml': { schema: { type: 'string' } } } },
          },
        },
      },
      '/{locale}/feeds.opml': {
        get: {
          summary: 'OPML 2.0 subscription list of one locale’s feeds',
          parameters: [
            { name: 'locale', in: 'path', required: true, schema: { type: 'string', enum: [...LOCALES] } },
          ],
          responses: {
            '200': { description: 'OPML', content: { 'text/x-opml': { schema: { type: 'string' } } } },
            '404': problem('Unknown locale'),
          },
        },
      },
      '/{feed}.{format}': {
        get: {
          summary: 'Redirect to the feed in the best locale for Accept-Language (default zh)',
          parameters: [
            { name: 'feed', in: 'path', required: true, schema: { type: 'string', enum: catalog.ids } },
            { name: 'format', in: 'path', required: true, schema: { type: 'string', enum: [...FORMATS] } },
            { name: 'Accept-Language', in: 'header', schema: { type: 'string' } },
          ],
          responses: {
            '302': {
              description: 'Location: /{locale}/{feed}.{format}; Vary: Accept-Language',
              headers: { Location: { schema: { type: 'string' } } },
            },
            '404': problem('Unknown feed; the detail names the feeds'),
          },
        },
      },
    },
    components: {
      schemas: {
        Article: jsonSchema(ArticleSchema, 'input'),
        RepublishPayload: jsonSchema(republishSchemaFor(catalog), 'input'),
        PublishReport: jsonSchema(PublishReportSchema),
        Problem: jsonSchema(ProblemSchema),
      },
    },
  }
}
