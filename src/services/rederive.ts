import type { Article } from '../domain/article.ts'
import { DERIVATION_VERSION, deriveRecord, derivedLocalesOf, DERIVATIONS } from '../domain/derive.ts'
import { retractionBeats, type Change } from '../domain/feed-snapshot.ts'
import type { Locale } from '../domain/locale.ts'
import { versionOf } from '../domain/version.ts'
import type { ObjectStore } from '../storage/object-store.ts'
import type { FeedService } from './feed-service.ts'
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
export async function rederiveStoredVariants(
  store: ObjectStore,
  feeds: FeedService,
  now: () => number,
): Promise<RederiveReport> {
  const marker = KEYS.derivationDone(DERIVATION_VERSION)
  if (await store.get(marker)) return { variantsRederived: 0 }
  const repo = feeds.articles
  const sources = Object.keys(DERIVATIONS) as Locale[]
  const editorsRecords = (await allSettled(sources.map((locale) => repo.loadAll(locale))))
    .flat()
    .filter((record) => !record.derivedFrom)
  const candidates = editorsRecords.flatMap((record) =>
    derivedLocalesOf(record.locale).map((target) => deriveRecord(record, target)),
  )
  const stale = await mapWithLimit(candidates, 32, async (variant): Promise<Article | null> => {
    const head = await repo.head(variant.locale, variant.id)
    if (head?.kind === 'live') return head.derived && head.version < versionOf(variant) ? variant : null
    if (head?.kind === 'retracted') return retractionBeats(head, variant) ? null : variant
    return variant
  })
  const upserts = stale.filter((variant): variant is Article => variant !== null)
  if (upserts.length > 0) {
    await allSettled(upserts.map((variant) => repo.putVersion(variant)))
    const changes: Change[] = upserts.map((record) => ({ type: 'upsert', record }))
    await repo.appendChanges(changes, now())
    await allSettled(feeds.feeds.all.map((definition) => feeds.renderAndStore(definition)))
  }
  await store.put(marker, encoder.encode(JSON.stringify({ at: new Date(now()).toISOString() })), {
    contentType: 'application/json; charset=utf-8',
  })
  return { variantsRederived: upserts.length }
}
