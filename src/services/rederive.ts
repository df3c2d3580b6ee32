import type { Article } from '../domain/article.ts'
import { DERIVATION_VERSION, deriveRecord, derivedLocalesOf, DERIVATIONS } from '../domain/derive.ts'
import { retractionBeats, type Change } from '../domain/feed-snapshot.ts'
import type { Locale } from '../domain/locale.ts'
import { versionOf } from '../domain/version.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { FeedCatalog, FeedDefinition } from '../domain/feed-definition.ts'
import { storyKey, type ArticleRepository } from './article-repository.ts'
import type { ChangeLog, LogEntry } from './change-log.ts'
import { allSettled, mapWithLimit } from './single-flight.ts'
import { KEYS } from './storage-keys.ts'

const encoder = new TextEncoder()

export interface RederiveReport {
  /** Derived variants stored again because an earlier release of the converters made them. */
  variantsRederived: number
}

/**
 * Derives again, from the editors' records, every script variant that an earlier release of the
 * converters stored (DERIVATION_VERSION), so that fixes to them reach stories nobody republishes.
 * A variant an editor sent, or one pulled later than its source changed, is left alone. The new
 * versions go through the change log like a republish, every feed is rendered again, and a marker
 * makes the next run a single read. Idempotent; safe to run on several instances at once.
 */
export async function rederiveStoredVariants(parts: {
  store: ObjectStore
  articles: ArticleRepository
  changeLog: ChangeLog
  catalog: FeedCatalog
  render: (definition: FeedDefinition, written: readonly LogEntry[]) => Promise<unknown>
  now: () => number
}): Promise<RederiveReport> {
  const { store, articles: repo, changeLog, catalog, render, now } = parts
  const marker = KEYS.derivationDone(DERIVATION_VERSION)
  if (await store.get(marker)) return { variantsRederived: 0 }
  const sources = Object.keys(DERIVATIONS) as Locale[]
  const editorsRecords = (await allSettled(sources.map((locale) => repo.loadAll(locale))))
    .flat()
    .filter((record) => !record.derivedFrom)
  const candidates = editorsRecords.flatMap((record) =>
    derivedLocalesOf(record.locale).map((target) => deriveRecord(record, target)),
  )
  const heads = await repo.heads(candidates)
  const stale = candidates.map((variant): Article | null => {
    const head = heads.get(storyKey(variant)) ?? null
    if (head?.kind === 'live') return head.derived && head.version < versionOf(variant) ? variant : null
    if (head?.kind === 'retracted') return retractionBeats(head, variant) ? null : variant
    return variant
  })
  const upserts = stale.filter((variant): variant is Article => variant !== null)
  if (upserts.length > 0) {
    await mapWithLimit(upserts, 16, (variant) => repo.putVersion(variant))
    const changes: Change[] = upserts.map((record) => ({ type: 'upsert', record }))
    const entry = await changeLog.append(changes)
    await allSettled(catalog.all.map((definition) => render(definition, [entry])))
  }
  await store.put(marker, encoder.encode(JSON.stringify({ at: new Date(now()).toISOString() })), {
    contentType: 'application/json; charset=utf-8',
  })
  return { variantsRederived: upserts.length }
}
