import { z } from 'zod'
import { ArticleIdSchema } from '../domain/article.ts'
import { LOCALES } from '../domain/locale.ts'
import { FORMATS } from '../domain/feed-definition.ts'
import {
  CACHE_HEADERS,
  CONDITIONAL,
  feedOk,
  json,
  NOT_MODIFIED,
  PARTNER_REFUSALS,
  problem,
  PUBLIC_OR_PARTNER,
  ref,
  STORAGE_UNAVAILABLE,
  type Operation,
} from './openapi-parts.ts'
import { MAX_WAIT_SECONDS } from './routes/changes.ts'
import { KEY_PARAM } from './openapi-partners.ts'
import { RetractionReasonSchema } from '../domain/retraction.ts'

/** `GET /{locale}/changes`, as documented in the README. */
export const ChangePageSchema = z.object({
  changes: z.array(
    z.object({
      type: z.enum(['published', 'updated', 'released', 'retracted']),
      id: z.string(),
      locale: z.enum(LOCALES),
      uri: z.string(),
      version: z.string(),
      at: z.string(),
      item: z.string().optional(),
      /** Partners entitled to embargoed stories: the version is not public before this time. */
      embargoedUntil: z.string().optional(),
      /** Retractions: why the story was pulled. */
      reason: RetractionReasonSchema.optional(),
    }),
  ),
  next_cursor: z.string(),
  more: z.boolean(),
})

/** The operations of the sync resources: ninjs lists and items, the change cursor, RFC 5005 archives. */
export function syncOperations(
  locale: object,
  feed: object,
  param: (name: string, schema: z.ZodType) => object,
): Record<
  | 'ninjsFeed'
  | 'ninjsItem'
  | 'partnerNinjsFeed'
  | 'partnerNinjsItem'
  | 'changes'
  | 'partnerChanges'
  | 'archive',
  Operation
> {
  const ninjs = (description: string) => ({
    ...json(description, { type: 'object' }),
    headers: CACHE_HEADERS,
  })
  const ninjsFeed: Operation & { parameters: object[] } = {
    summary:
      'The feed’s window as IPTC ninjs 3.1 items: { schema, uri, title, description, language, self, items } (a partner’s with Authorization: Bearer <key>)',
    parameters: [locale, feed, ...CONDITIONAL],
    security: PUBLIC_OR_PARTNER,
    responses: {
      '200': ninjs(
        'The feed’s stories, newest first; each item valid against ninjs 3.1, with the text the feed gives the public (an excerpt feed’s items are representationType partial, with no bodies)',
      ),
      '304': NOT_MODIFIED,
      ...PARTNER_REFUSALS,
      '404': problem('Unknown locale or feed, or a feed for partners only (FEED_PARTNERS_ONLY)'),
      '503': STORAGE_UNAVAILABLE,
    },
  }
  const ninjsItem: Operation & { parameters: object[] } = {
    summary:
      'One story in one locale as an IPTC ninjs 3.1 item (pubStatus canceled once pulled; a partner’s with Authorization: Bearer <key>)',
    parameters: [locale, param('id', ArticleIdSchema), ...CONDITIONAL],
    security: PUBLIC_OR_PARTNER,
    responses: {
      '200': ninjs(
        'The item: representationType full when a public full-text feed of the locale carries the story, partial (no bodies) when only excerpt feeds do',
      ),
      '304': NOT_MODIFIED,
      '400': problem('An id no story may have (ITEM_ID_INVALID); the detail says what ids are'),
      ...PARTNER_REFUSALS,
      '404': problem('No story with this id in this locale that a feed the reader may read carries'),
      '503': STORAGE_UNAVAILABLE,
    },
  }
  /** A keyed twin of a public operation: the key in the path, its answers private. */
  const keyed = (
    operation: Operation & { parameters: object[] },
    summary: string,
  ): Operation & { parameters: object[] } => ({
    summary,
    parameters: [KEY_PARAM, ...operation.parameters],
    responses: {
      ...operation.responses,
      '200': ninjs('The document (Cache-Control: private); RateLimit-Policy and RateLimit'),
    },
  })
  const changes: Operation & { parameters: object[] } = {
    summary:
      'Changes of a locale’s stories, oldest first, with an opaque next_cursor (no-store); a partner’s with Authorization: Bearer <key>',
    parameters: [
      locale,
      {
        name: 'cursor',
        in: 'query',
        description: 'next_cursor of the previous page (once: a repeated cursor is a 400)',
        schema: { type: 'string' },
      },
      {
        name: 'wait',
        in: 'query',
        description: `seconds (0–${MAX_WAIT_SECONDS}, a plain decimal number such as 2 or 0.5, sent once) to hold the request open while nothing is new`,
        schema: { type: 'number', minimum: 0, maximum: MAX_WAIT_SECONDS },
      },
    ],
    security: PUBLIC_OR_PARTNER,
    responses: {
      '200': json('A page of changes', ref('ChangePage')),
      '400': problem(
        'Malformed, altered or foreign cursor, a wait that is not 0–15 seconds, or either sent more than once',
      ),
      ...PARTNER_REFUSALS,
      '403': problem('No feed of the key’s agreement in this locale; the detail names what it may read'),
      '404': problem('Unknown locale'),
      '410': problem('The cursor is older than the change log’s retention: backfill, then start again'),
      '503': STORAGE_UNAVAILABLE,
    },
  }
  return {
    archive: {
      summary:
        'RFC 5005 archive of a public feed: the stories of one UTC month (by publishedAt) that left its window',
      parameters: [
        locale,
        feed,
        param('month', z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/)),
        param('format', z.enum(FORMATS)),
        ...CONDITIONAL,
      ],
      responses: {
        '200': feedOk(
          'The archive (fh:archive; current, prev-archive and next-archive links; JSON Feed: next_url to the older month)',
        ),
        '304': NOT_MODIFIED,
        '400': problem('Not a month: YYYY-MM'),
        '404': problem(
          'Unknown locale, feed or format; a month outside the archives (the detail names the first and last)',
        ),
        '503': STORAGE_UNAVAILABLE,
      },
    },
    ninjsFeed,
    ninjsItem,
    partnerNinjsFeed: keyed(
      ninjsFeed,
      'A feed’s ninjs list as a partner reads it: at its level for the feed (excerpt: partial items), with stories under embargo (embargoedUntil) when it reads them; also Authorization: Bearer <key> on the public URL',
    ),
    partnerNinjsItem: keyed(
      ninjsItem,
      'A story as a partner reads it: full or partial at its level, when a feed it may read in the locale carries it (embargoed versions, with embargoedUntil, when it reads them); also Authorization: Bearer <key> on the public URL',
    ),
    changes,
    partnerChanges: {
      summary:
        'The change cursor as a partner sees it (also: Authorization: Bearer <key> on /{locale}/changes)',
      parameters: [KEY_PARAM, ...changes.parameters],
      responses: {
        ...changes.responses,
        '200': json(
          'A page of the changes the key may read; RateLimit-Policy and RateLimit',
          ref('ChangePage'),
        ),
      },
    },
  }
}
