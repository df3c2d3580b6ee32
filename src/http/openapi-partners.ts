/** The OpenAPI operations of partner reads and of `/admin/partners` (see openapi.ts for the rest). */

import { PARTNER_REFUSALS, STORAGE_UNAVAILABLE, type Operation } from './openapi-parts.ts'

interface Parts {
  locale: object
  feed: object
  format: object
  conditional: readonly object[]
  problem: (description: string) => object
  json: (description: string, schema: object) => object
}

/** The `{key}` of keyed paths. */
export const KEY_PARAM = {
  name: 'key',
  in: 'path',
  required: true,
  description: 'The partner key (sf_ and 43 base64url characters); never logged',
  schema: { type: 'string' },
}
const signature = {
  name: 'Silkfeed-Signature',
  in: 'header',
  required: true,
  description: 't=<unix seconds>,v1=<hex HMAC-SHA256(admin secret, "<t>.<METHOD> <path>\\n<raw body>")>',
  schema: { type: 'string' },
}
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } }
const PartnerInput = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    feeds: { type: 'array', items: { type: 'string' }, description: 'absent: every feed' },
    locales: { type: 'array', items: { type: 'string' }, description: 'absent: every locale' },
    fullText: { type: 'boolean', default: false },
    embargoed: { type: 'boolean', default: false },
    quota: { type: 'integer', minimum: 1, default: 600, description: 'requests per minute per key' },
  },
}

/** Operations keyed by route kind (`kind.method` where one route's methods differ), merged into the document's. */
export function partnerOperations(parts: Parts): Record<string, Operation> {
  const { locale, feed, format, conditional, problem, json } = parts
  const keyed = (summary: string, content: string): Operation => ({
    summary,
    parameters: [KEY_PARAM, ...conditional],
    responses: {
      '200': {
        description: 'Cache-Control: private; RateLimit-Policy and RateLimit',
        content: { [content]: {} },
      },
      '304': { description: 'Not modified' },
      '401': PARTNER_REFUSALS['401'],
      '404': problem('Unknown lang'),
      '429': PARTNER_REFUSALS['429'],
      '503': STORAGE_UNAVAILABLE,
    },
  })
  const refusals = {
    '401': problem('Missing, malformed, wrong or stale admin signature'),
    '503': STORAGE_UNAVAILABLE,
  }
  // What a POST's body may come to before it is looked at.
  const body = {
    '400': problem('Malformed JSON, or a body that is not UTF-8'),
    '408': problem('The body did not all arrive in time'),
    '413': problem('Body over 16 KiB'),
  }
  const unknownId = { '404': problem('No such partner') }
  const signed = (summary: string, ok: string, extra: Record<string, object> = {}): Operation => ({
    summary,
    parameters: [signature],
    responses: { '200': json(ok, { type: 'object' }), ...refusals, ...extra },
  })
  return {
    partnerFeed: {
      summary: 'A feed as a partner reads it (also: Authorization: Bearer <key> on the public URL)',
      parameters: [KEY_PARAM, locale, feed, format, ...conditional],
      responses: {
        ...keyed('', 'application/rss+xml').responses,
        '403': PARTNER_REFUSALS['403'],
        '404': problem('Unknown locale, feed or format'),
      },
    },
    partnerOpml: keyed('OPML 2.0 of exactly the partner’s feeds, with its keyed URLs', 'text/x-opml'),
    partnerDirectory: keyed('HTML page of the partner’s feeds with keyed subscribe links', 'text/html'),
    adminPartners: {
      summary: 'Create a partner; the response holds its key, shown only this once',
      parameters: [signature],
      requestBody: { required: true, content: { 'application/json': { schema: PartnerInput } } },
      responses: {
        '201': json('The partner, its id and its key', { type: 'object' }),
        ...refusals,
        ...body,
        '422': problem('Unknown feed or locale, quota below 1, or another invalid field'),
      },
    },
    'adminPartners.get': signed(
      'List partners with their entitlements and key ids (never keys)',
      'The partners',
    ),
    adminPartner: {
      ...signed('One partner, its entitlements and key ids', 'The partner', unknownId),
      parameters: [signature, id],
    },
    adminRotate: {
      ...signed('A new key; the previous one stays until revoked, older ones are revoked', 'The new key', {
        ...body,
        ...unknownId,
      }),
      parameters: [signature, id],
    },
    adminRevoke: {
      ...signed('Revoke one key ({"keyId": …}) or every key ({})', 'The partner', {
        ...body,
        '404': problem('No such partner or key'),
        '422': problem('A body other than {} or {"keyId": "<key id>"}'),
      }),
      parameters: [signature, id],
    },
  }
}
