import { z } from 'zod'
import { LOCALES, type Locale } from './locale.ts'
import { issueLines } from './problem.ts'

const RESERVED_IDS = new Set(['changes', 'items', 'feeds'])

const seconds = z.number().int().min(0).max(31_536_000)

/** `feeds/<id>.json`: what a feed selects, for whom, and how long caches may keep it. */
const FeedDefinitionSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a lowercase slug')
    // These name other resources in every locale (`/{locale}/changes`, `/{locale}/items/…`).
    .refine((id) => !RESERVED_IDS.has(id), 'is reserved (changes, items, feeds): choose another id'),
  sections: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]),
  locales: z.array(z.enum(LOCALES)).min(1),
  limit: z.number().int().min(1).max(500),
  cache: z.strictObject({ maxAge: seconds, staleWhileRevalidate: seconds, staleIfError: seconds }),
  /**
   * What readers without a partner key get: full text, an excerpt (no body), or nothing (a feed for
   * partners only). Absent means full.
   */
  public: z.enum(['full', 'excerpt', 'none'], { error: 'must be one of: full, excerpt, none' }).optional(),
})

export type FeedDefinition = z.infer<typeof FeedDefinitionSchema>

/** The formats every feed is served in, by URL extension. */
export const FORMATS = ['rss', 'atom', 'json'] as const
export type FeedFormat = (typeof FORMATS)[number]

export const CONTENT_TYPE: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
}

export function isFormat(value: string): value is FeedFormat {
  return (FORMATS as readonly string[]).includes(value)
}

/** The validated set of feeds, looked up by id. */
export class FeedCatalog {
  readonly #byId: Map<string, FeedDefinition>

  constructor(definitions: readonly FeedDefinition[]) {
    this.#byId = new Map(definitions.map((d) => [d.id, d]))
  }

  get ids(): string[] {
    return [...this.#byId.keys()]
  }

  get all(): FeedDefinition[] {
    return [...this.#byId.values()]
  }

  find(id: string): FeedDefinition | undefined {
    return this.#byId.get(id)
  }

  /** Feeds offered in a locale. */
  forLocale(locale: Locale): FeedDefinition[] {
    return this.all.filter((d) => d.locales.includes(locale))
  }

  /** Feeds offered in a locale to readers without a partner key. */
  publicForLocale(locale: Locale): FeedDefinition[] {
    return this.forLocale(locale).filter((d) => d.public !== 'none')
  }
}

/**
 * Validates raw feed definitions keyed by file name; a broken one throws an error naming the file
 * and every problem in it, so a bad deploy fails at start rather than at the first request.
 */
export function parseFeedCatalog(files: Record<string, unknown>): FeedCatalog {
  const definitions: FeedDefinition[] = []
  const failures: string[] = []
  for (const [file, raw] of Object.entries(files)) {
    const result = FeedDefinitionSchema.safeParse(raw)
    if (!result.success) {
      const lines = issueLines(result.error).map((p) => `  ${p.path}: ${p.message}`)
      failures.push(`${file}:\n${lines.join('\n')}`)
      continue
    }
    const expectedId = file.replace(/^.*\//, '').replace(/\.json$/, '')
    if (result.data.id !== expectedId) {
      failures.push(`${file}:\n  $.id: is "${result.data.id}" but must match the file name "${expectedId}"`)
      continue
    }
    definitions.push(result.data)
  }
  if (failures.length > 0) throw new Error(`Invalid feed definition(s):\n${failures.join('\n')}`)
  if (definitions.length === 0) throw new Error('No feed definitions found in feeds/')
  return new FeedCatalog(definitions)
}
