import { ArticleSchema, lastChangeOf, type Article } from '../domain/article.ts'
import { expandRecords } from '../domain/derive.ts'
import { FeedCatalog } from '../domain/feed-definition.ts'
import { problemsFromZod, REPORT_INPUT } from '../domain/problem.ts'
import { problemMessage } from '../i18n/translator.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import { ArticleRepository, REPOSITORY_CONCURRENCY } from './article-repository.ts'
import { ChangeLog } from './change-log.ts'
import { PublishService } from './publish.ts'
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
 * no change log, so feeds built afterwards read them by a full scan and the change cursor never
 * names them. For test and benchmark fixtures; the demo's seed publishes (`publishArticles`).
 */
export async function storeArticles(store: ObjectStore, articles: readonly Article[]): Promise<void> {
  const repository = new ArticleRepository(store)
  await mapWithLimit(expandRecords(articles), REPOSITORY_CONCURRENCY, (a) => repository.putVersion(a))
}

/**
 * Publishes editors' records as one webhook upsert of them would (the webhook's own PublishService):
 * each version and its derived script variants stored, then one change-log entry naming them all,
 * the stories oldest first (by their last change), so the change cursor announces them in that
 * order as `published` (or `updated`, for a record with a correction date). No feed is rendered
 * here: the service is given no catalogue, so every feed is rendered on its first read, from the
 * stored stories and the log, with the settings of the server that reads it (rendering them all
 * would add over a second to `npm start`).
 */
async function publishArticles(store: ObjectStore, articles: readonly Article[]): Promise<void> {
  const publish = new PublishService({
    articles: new ArticleRepository(store),
    changeLog: new ChangeLog(store, () => crypto.randomUUID(), Date.now, 0),
    catalog: new FeedCatalog([]),
    render: () => Promise.resolve([]),
    now: Date.now,
  })
  const oldestFirst = [...articles].sort(
    (a, b) => lastChangeOf(a) - lastChangeOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
  await publish.apply({ upsert: oldestFirst })
}

/**
 * Seeds the samples into an empty store by publishing them (`publishArticles`); a store that
 * already has articles is left alone, so a second seed (a restart of `npm start`, `npm run seed`
 * again) neither stores nor announces anything.
 */
export async function seedIfEmpty(store: ObjectStore, articles: readonly Article[]): Promise<boolean> {
  const existing = await store.list('articles/')
  if (existing.length > 0) return false
  await publishArticles(store, articles)
  return true
}
