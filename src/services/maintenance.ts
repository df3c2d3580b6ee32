import { changeTime } from '../domain/feed-snapshot.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { FeedService } from './feed-service.ts'
import { rederiveStoredVariants } from './rederive.ts'
import { readSnapshot } from './snapshot-codec.ts'
import { KEYS } from './storage-keys.ts'

export interface MaintenanceOptions {
  now: number
  /** Idempotency records older than this are forgotten. */
  idempotencyMs: number
  /** Change-log entries older than this are deleted (must exceed the overlap window by far). */
  changeLogMs: number
}

export interface MaintenanceReport {
  idempotencyDeleted: number
  changesDeleted: number
  feedsRerendered: number
  /** Script variants derived again after a release changed the converters (once per store). */
  variantsRederived: number
}

const decoder = new TextDecoder()

/**
 * Housekeeping that must not run per request: derive again script variants stored by an earlier
 * release of the converters, expire idempotency records and old change-log entries (after storing
 * again the snapshots that stand on them), and re-render feeds whose tombstones expired. Idempotent;
 * safe to run on several instances at once. Its reads, lookups and deletes go through `store` (the
 * composition root gives one whose requests wait behind readers' and webhooks'); rendering a feed
 * again goes through the feed service as any render does.
 */
export async function runMaintenance(
  store: ObjectStore,
  feeds: FeedService,
  options: MaintenanceOptions,
): Promise<MaintenanceReport> {
  const { variantsRederived } = await rederiveStoredVariants({
    store,
    articles: feeds.articles.within(store),
    changeLog: feeds.changeLog,
    catalog: feeds.feeds,
    render: (definition, written) => feeds.renderAndStore(definition, undefined, written),
    now: () => options.now,
  })
  const expiredRecords: string[] = []
  for (const key of await store.list('idempotency/')) {
    const object = await store.get(key)
    if (!object) continue
    const { at } = JSON.parse(decoder.decode(object.body)) as { at?: string }
    if (!at || options.now - Date.parse(at) > options.idempotencyMs) expiredRecords.push(key)
  }
  await store.delete(expiredRecords)

  // Before the change log is trimmed: a snapshot is a checkpoint of the log, and one that has not
  // been stored again for half the log's retention is stored again now (by rendering its feed), so
  // no change expires before a stored snapshot holds it. Feeds whose tombstones expired are
  // rendered again too, so the tombstone leaves the feed.
  let feedsRerendered = 0
  for (const definition of feeds.feeds.all) {
    for (const locale of definition.locales) {
      const snapshot = await readSnapshot(store, definition.id, locale)
      if (!snapshot) continue
      const expired = snapshot.tombstones.some((t) => options.now - Date.parse(t.at) >= feeds.tombstoneMs)
      const aging = options.now - snapshot.listedAt > options.changeLogMs / 2
      if (expired || aging) {
        await feeds.renderAndStore(definition, locale)
        feedsRerendered++
      }
    }
  }

  let changesDeleted = 0
  // The shared log, and what is left of the per-locale logs of earlier releases.
  for (const prefix of [KEYS.log, KEYS.legacyChanges]) {
    const old = (await store.list(prefix)).filter((k) => options.now - changeTime(k) > options.changeLogMs)
    await store.delete(old)
    changesDeleted += old.length
  }
  return { idempotencyDeleted: expiredRecords.length, changesDeleted, feedsRerendered, variantsRederived }
}
