import { z } from 'zod'
import { ArticleIdSchema, ArticleSchema, articleDateProblems, LocaleSchema } from './article.ts'
import { FORMATS, type FeedCatalog } from './feed-definition.ts'
import {
  distinctProblems,
  excerpt,
  problemsFromZod,
  REPORT_INPUT,
  says,
  toJsonPath,
  type MessageKey,
  type MessageParams,
  type Problem,
} from './problem.ts'
import { RetractionReasonSchema } from './retraction.ts'

/** The body of `POST /webhooks/republish` (DESIGN.md, "The republish webhook"), checked against the catalogue. */
export function republishSchemaFor(catalog: FeedCatalog) {
  const feedId = z.string().refine((id) => catalog.find(id) !== undefined, {
    error: says('unknownFeed', { allowed: catalog.ids.join(', ') }),
  })
  return z
    .strictObject({
      upsert: z.array(ArticleSchema).max(1000, says('tooManyRecords')).optional(),
      retract: z
        .array(
          z.strictObject({
            id: ArticleIdSchema,
            locale: LocaleSchema.optional(),
            /** Why: `kill`, `withdrawn` (the default) or `correction-pending`. */
            reason: RetractionReasonSchema.optional(),
          }),
        )
        .max(1000, says('tooManyRecords'))
        .optional(),
      rebuild: z
        .union([z.literal('all'), z.array(feedId)], { error: says('rebuildFeeds', { all: '"all"' }) })
        .optional(),
    })
    .superRefine((payload, ctx) => {
      for (const { path, key, params } of payloadProblems(payload)) {
        ctx.addIssue({ code: 'custom', path, message: says(key, params) })
      }
    })
}

type RawProblem = { path: PropertyKey[]; key: MessageKey; params?: MessageParams }

/**
 * The checks across fields and records (an empty payload, a story and locale sent twice, `updatedAt`
 * before `publishedAt`), judged on the raw body wherever the fields they need are valid. zod skips an
 * object's refinements once any of its fields fails; these run whatever else is wrong, so one answer
 * lists every problem.
 */
function payloadProblems(input: unknown): RawProblem[] {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return []
  const { upsert, retract, rebuild } = input as Record<string, unknown>
  const problems: RawProblem[] = []
  const none = (value: unknown) => value === undefined || (Array.isArray(value) && value.length === 0)
  if (none(upsert) && none(retract) && none(rebuild))
    problems.push({ path: [], key: 'emptyPayload', params: { fields: 'upsert, retract, rebuild' } })
  if (!Array.isArray(upsert)) return problems
  const seen = new Map<string, number>()
  upsert.forEach((record: unknown, index) => {
    for (const { path, key, params } of articleDateProblems(record))
      problems.push({ path: ['upsert', index, ...path], key, params })
    if (!record || typeof record !== 'object') return
    const { id, locale } = record as Record<string, unknown>
    if (!ArticleIdSchema.safeParse(id).success || !LocaleSchema.safeParse(locale).success) return
    const story = `${id as string}/${locale as string}`
    const first = seen.get(story)
    if (first === undefined) seen.set(story, index)
    else {
      problems.push({
        path: ['upsert', index],
        key: 'duplicateUpsert',
        params: { id: excerpt(id as string), locale: locale as string, first: `$.upsert[${first}]` },
      })
    }
  })
  return problems
}

/** A republish body checked whole: the payload, or every problem with it. */
export function parseRepublish(
  schema: ReturnType<typeof republishSchemaFor>,
  input: unknown,
): { success: true; data: RepublishPayload } | { success: false; problems: Problem[] } {
  const parsed = schema.safeParse(input, REPORT_INPUT)
  if (parsed.success) return parsed
  const crossField = payloadProblems(input).map(({ path, key, params }) =>
    params ? { path: toJsonPath(path), key, params } : { path: toJsonPath(path), key },
  )
  return { success: false, problems: distinctProblems([...problemsFromZod(parsed.error), ...crossField]) }
}

export type RepublishPayload = z.infer<ReturnType<typeof republishSchemaFor>>

/** What a republish did: the webhook's answer, documented in OpenAPI from this schema. */
export const PublishReportSchema = z.object({
  status: z.literal('ok'),
  stored: z.array(
    z.object({
      id: z.string(),
      locale: LocaleSchema,
      version: z.string(),
      /** Set on script variants Silkfeed derived from the editor's record in this locale. */
      derivedFrom: LocaleSchema.optional(),
    }),
  ),
  skipped: z.array(
    z.object({
      id: z.string(),
      locale: LocaleSchema,
      /** `newer-than-retraction`: a retraction signed before the stored version changed pulls nothing. */
      reason: z.enum(['older-than-stored', 'retracted-later', 'newer-than-retraction']),
      stored: z.string(),
    }),
  ),
  retracted: z.array(z.object({ id: z.string(), locale: LocaleSchema })),
  notFound: z.array(z.object({ id: z.string(), locale: LocaleSchema.optional() })),
  feeds: z.array(
    z.object({
      feed: z.string(),
      locale: LocaleSchema,
      format: z.enum(FORMATS),
      etag: z.string(),
      items: z.number().int(),
      lastModified: z.string(),
    }),
  ),
})

export type PublishReport = Omit<z.infer<typeof PublishReportSchema>, 'status'>
