import { z } from 'zod'
import { ArticleIdSchema, ArticleSchema, LocaleSchema } from './article.ts'
import { FORMATS, type FeedCatalog } from './feed-definition.ts'
import { RetractionReasonSchema } from './retraction.ts'

/** The body of `POST /webhooks/republish` (DESIGN.md, "The republish webhook"), checked against the catalogue. */
export function republishSchemaFor(catalog: FeedCatalog) {
  const feedId = z.string().refine((id) => catalog.find(id) !== undefined, {
    error: `must name a feed: ${catalog.ids.join(', ')}`,
  })
  return z
    .strictObject({
      upsert: z
        .array(ArticleSchema)
        .max(1000, 'must hold at most 1000 records; split the request')
        .optional(),
      retract: z
        .array(
          z.strictObject({
            id: ArticleIdSchema,
            locale: LocaleSchema.optional(),
            /** Why: `kill`, `withdrawn` (the default) or `correction-pending`. */
            reason: RetractionReasonSchema.optional(),
          }),
        )
        .max(1000, 'must hold at most 1000 entries; split the request')
        .optional(),
      rebuild: z
        .union([z.literal('all'), z.array(feedId)], { error: 'must be "all" or a list of feed ids' })
        .optional(),
    })
    .superRefine((payload, ctx) => {
      const empty =
        (payload.upsert?.length ?? 0) === 0 &&
        (payload.retract?.length ?? 0) === 0 &&
        (payload.rebuild === undefined || (Array.isArray(payload.rebuild) && payload.rebuild.length === 0))
      if (empty) {
        ctx.addIssue({ code: 'custom', message: 'is empty: send at least one of upsert, retract or rebuild' })
      }
      const seen = new Map<string, number>()
      payload.upsert?.forEach((record, index) => {
        const key = `${record.id}/${record.locale}`
        const first = seen.get(key)
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['upsert', index],
            message: `repeats (id "${record.id}", locale "${record.locale}") of upsert[${first}]; send each story and locale once`,
          })
        } else seen.set(key, index)
      })
    })
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
