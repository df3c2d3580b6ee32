import { z } from 'zod'
import { LOCALES } from './locale.ts'
import { says, type MessageKey, type MessageParams } from './problem.ts'
import { findNonXmlChar } from './xml-text.ts'

/** Text that every feed format can carry: no characters outside XML 1.0. */
function feedText(min: number, max: number) {
  return z.string().min(min).max(max).superRefine(rejectNonXml)
}

function rejectNonXml(value: string, ctx: z.RefinementCtx): void {
  const bad = findNonXmlChar(value)
  if (bad) {
    ctx.addIssue({
      code: 'custom',
      message: says('nonXmlChar', { standard: 'XML 1.0' }),
      params: { char: bad.codePoint, index: bad.index },
    })
  }
}

const httpUrl = z
  .url({ protocol: /^https?$/, error: says('httpUrl', { schemes: 'http://, https://' }) })
  .max(2048)
  .superRefine(rejectNonXml)
  // Stored in WHATWG-serialized form: spaces, quotes, angle brackets and non-ASCII come out
  // percent-encoded (and hosts as punycode), so every feed carries a valid RFC 3986 URI.
  .overwrite(normalizeUrl)

function normalizeUrl(value: string): string {
  try {
    return new URL(value).href
  } catch {
    return value // not a URL: the check above has already reported it
  }
}

// Feed dates print the instant in a newsroom zone (up to ±14 h away) with a four-digit year and no
// era; outside these bounds RFC 3339 and RFC 822 cannot write it.
const EARLIEST_INSTANT = Date.parse('0001-01-02T00:00:00Z')
const LATEST_INSTANT = Date.parse('9999-12-30T23:59:59Z')

const rfc3339 = z.iso
  .datetime({
    offset: true,
    error: says('dateTime', { standard: 'RFC 3339', example: '2022-11-06T15:12:00+08:00' }),
  })
  .refine(
    (value) => {
      const instant = Date.parse(value)
      return Number.isNaN(instant) || (instant >= EARLIEST_INSTANT && instant <= LATEST_INSTANT)
    },
    says('dateRange', { from: '0001-01-02', to: '9999-12-30' }),
  )

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, says('slug', { chars: 'a–z 0–9 -', max: 64 }))

const ARTICLE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

export const ArticleIdSchema = z
  .string()
  .regex(ARTICLE_ID_PATTERN, says('articleId', { chars: 'A–Z a–z 0–9 . _ -', max: 128 }))

export const LocaleSchema = z.enum(LOCALES)

const PersonSchema = z.strictObject({ name: feedText(1, 200), url: httpUrl.optional() })

const SourceSchema = z.strictObject({ name: feedText(1, 200), url: httpUrl.optional() })

const ImageSchema = z.strictObject({
  url: httpUrl,
  type: z
    .string()
    .regex(/^image\/[a-z0-9.+-]+$/, says('imageType', { example: 'image/jpeg' }))
    .optional(),
  length: z.number().int(says('byteCount')).positive().optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  caption: feedText(1, 1000).optional(),
  credit: feedText(1, 200).optional(),
})

/**
 * Who owns a story and on what terms it may be used (IPTC ninjs names), in the record's language. At
 * least one field: an empty object would say nothing and render nothing.
 */
const RightsSchema = z
  .strictObject({
    copyrightHolder: feedText(1, 200).optional(),
    copyrightNotice: feedText(1, 1000).optional(),
    usageTerms: feedText(1, 2000).optional(),
    licenseUrl: httpUrl.optional(),
  })
  .refine((rights) => Object.keys(rights).length > 0, {
    error: says('rightsEmpty', { fields: 'copyrightHolder, copyrightNotice, usageTerms, licenseUrl' }),
  })

const ARTICLE_FIELDS = {
  id: ArticleIdSchema,
  locale: LocaleSchema,
  title: feedText(1, 500),
  summary: feedText(1, 5000).optional(),
  contentHtml: feedText(1, 500_000).optional(),
  url: httpUrl,
  publishedAt: rfc3339,
  updatedAt: rfc3339.optional(),
  authors: z.array(PersonSchema).max(50).optional(),
  source: SourceSchema.optional(),
  sections: z.array(slug).min(1, says('noSection')).max(20),
  tags: z.array(feedText(1, 100)).max(50).optional(),
  image: ImageSchema.optional(),
  /** Hidden from the public (and from partners not entitled to embargoed stories) until this instant. */
  embargoUntil: rfc3339.optional(),
  rights: RightsSchema.optional(),
}

/**
 * Whether a record's `updatedAt` is earlier than its `publishedAt`. Judged on the raw record as soon as
 * both dates are valid, whatever else is wrong with it: zod skips an object's refinements once any
 * field fails, and the editor is to hear of every problem at once (see `articleDateProblems`).
 */
function updatedBeforePublished(record: unknown): boolean {
  if (!record || typeof record !== 'object') return false
  const { publishedAt, updatedAt } = record as Record<string, unknown>
  if (!rfc3339.safeParse(publishedAt).success || !rfc3339.safeParse(updatedAt).success) return false
  return Date.parse(updatedAt as string) < Date.parse(publishedAt as string)
}

/** The problem of a record whose `updatedAt` is earlier than its `publishedAt` (path relative to it). */
const DATES_OUT_OF_ORDER = {
  path: ['updatedAt'],
  key: 'updatedBeforePublished',
  params: { field: 'publishedAt' },
} as const satisfies { path: PropertyKey[]; key: MessageKey; params: MessageParams }

function datesInOrder(article: { publishedAt: string; updatedAt?: string }, ctx: z.RefinementCtx): void {
  if (updatedBeforePublished(article)) {
    const { path, key, params } = DATES_OUT_OF_ORDER
    ctx.addIssue({ code: 'custom', path: [...path], message: says(key, params) })
  }
}

/** The cross-field problems of a raw record (paths relative to it), found even when other fields fail. */
export function articleDateProblems(record: unknown): (typeof DATES_OUT_OF_ORDER)[] {
  return updatedBeforePublished(record) ? [DATES_OUT_OF_ORDER] : []
}

/** One story in one language, exactly as the CMS sends it (DESIGN.md, "Article records"). */
export const ArticleSchema = z.strictObject(ARTICLE_FIELDS).superRefine(datesInOrder)

/**
 * A record as stored: what the CMS sent, or a script variant Silkfeed derived from it at ingest
 * (`derivedFrom` names the locale it was transliterated or converted from; `derivation` which release
 * of the converters made it, absent before the first bump). Never accepted from the webhook: editors
 * send records, Silkfeed derives.
 */
export const StoredArticleSchema = z
  .strictObject({
    ...ARTICLE_FIELDS,
    derivedFrom: LocaleSchema.optional(),
    derivation: z.number().int().positive().optional(),
  })
  .superRefine(datesInOrder)

/** A story in one locale; `derivedFrom` and `derivation` are set only on records Silkfeed derived itself. */
export type Article = z.infer<typeof StoredArticleSchema>

/** The instant a story last changed: its correction date, or its publication. */
export function lastChangeOf(article: Article): number {
  return Date.parse(article.updatedAt ?? article.publishedAt)
}

/** The instant (ms) before which a story is embargoed, or undefined when it never was. */
export function embargoOf(article: Pick<Article, 'embargoUntil'>): number | undefined {
  return article.embargoUntil === undefined ? undefined : Date.parse(article.embargoUntil)
}
