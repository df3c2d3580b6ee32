import { ArticleSchema, type Article } from '../domain/article.ts'
import { expandRecords } from '../domain/derive.ts'
import { problemsFromZod, REPORT_INPUT } from '../domain/problem.ts'
import { problemMessage } from '../i18n/translator.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import { ArticleRepository, REPOSITORY_CONCURRENCY } from './article-repository.ts'
import { mapWithLimit } from './single-flight.ts'

/** Validates sample records (files of arrays of articles); a bad one throws naming the file and path. */
export function parseSampleFiles(files: Record<string, unknown>): Article[] {
  const articles: Article[] = []
  const failures: string[] = []
  for (const [file, raw] of Object.entries(files)) {
    const list = Array.isArray(raw) ? raw : [raw]
    list.forEach((record, index) => {
      const parsed = ArticleSchema.safeParse(record, REPORT_INPUT)
      if (parsed.success) articles.push(parsed.data)
      else
        failures.push(
          ...problemsFromZod(parsed.error, `$[${index}]`).map(
            (p) => `${file} ${p.path}: ${problemMessage(p, 'en')}`,
          ),
        )
    })
  }
  if (failures.length > 0) throw new Error(`Invalid sample article(s):\n${failures.join('\n')}`)
  return articles
}

/**
 * Stores editors' records as ingest does (normalized, with their derived script variants), directly:
 * no change log, so feeds built afterwards read them by a full scan.
 */
export async function storeArticles(store: ObjectStore, articles: readonly Article[]): Promise<void> {
  const repository = new ArticleRepository(store)
  await mapWithLimit(expandRecords(articles), REPOSITORY_CONCURRENCY, (a) => repository.putVersion(a))
}

/** Seeds the samples into an empty store; a store that already has articles is left alone. */
export async function seedIfEmpty(store: ObjectStore, articles: readonly Article[]): Promise<boolean> {
  const existing = await store.list('articles/')
  if (existing.length > 0) return false
  await storeArticles(store, articles)
  return true
}
