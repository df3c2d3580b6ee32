import { embargoOf } from '../domain/article.ts'
import { isEmbargoed } from '../domain/embargo.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import type { Change } from '../domain/feed-snapshot.ts'
import type { Locale } from '../domain/locale.ts'
import { DEFAULT_RETRACTION_REASON, type RetractionReason } from '../domain/retraction.ts'
import { feedSelects } from '../domain/select-items.ts'
import { versionOf } from '../domain/version.ts'
import { ninjsItemPath } from '../domain/url-scheme.ts'
import { itemId, type PublicationSettings } from '../render/feed-model.ts'
import { retractionVersion } from './article-repository.ts'
import type { PendingRelease } from './change-cursor.ts'

/**
 * Who reads the cursor: the public, or a partner through its entitlements in the cursor's locale
 * (the feeds it may read there, and whether it sees stories still under embargo).
 */
export type Reader =
  { kind: 'public' } | { kind: 'partner'; feeds: readonly FeedDefinition[]; embargoed: boolean }
export const PUBLIC_READER: Reader = { kind: 'public' }

/** What every change names: the story in the locale, the version it brings, and when. */
interface ChangeBase {
  id: string
  locale: Locale
  uri: string
  version: string
  at: string
}

/** One change as the cursor delivers it. */
export type ChangeView =
  | (ChangeBase & {
      type: 'published' | 'updated'
      item: string
      /** Only to partners entitled to embargoed stories: the version is not public before this. */
      embargoedUntil?: string
    })
  /** The version named, met earlier under embargo, is public from `at` on. */
  | (ChangeBase & { type: 'released'; item: string })
  | (ChangeBase & { type: 'retracted'; reason: RetractionReason })

/**
 * Can this reader see this change at `now`? The public sees every change of its locale but a version
 * still under embargo (announced by a `released` change at its time). A partner sees the changes of
 * the stories in the feeds it may read in the locale (a retraction by the sections of the version it
 * pulled), versions under embargo only with that entitlement.
 */
export function visible(change: Change, reader: Reader, now: number): boolean {
  const embargoed = change.type === 'upsert' && isEmbargoed(change.record, now)
  if (reader.kind === 'public') return !embargoed
  const story = change.type === 'upsert' ? change.record : { sections: change.sections }
  return reader.feeds.some((feed) => feedSelects(feed, story)) && (!embargoed || reader.embargoed)
}

/** The version a change brings (a retraction's sorts above the versions it pulls). */
function versionOfChange(change: Change): string {
  return change.type === 'upsert'
    ? versionOf(change.record)
    : retractionVersion(change.at, change.derived === true)
}

/**
 * Keeps `releases` (by story id) as the log says after `change`: a newer version of a story replaces
 * its pending release; a version under embargo at `now` that the reader will see once released
 * becomes one.
 */
export function trackRelease(
  releases: Map<string, PendingRelease>,
  change: Change,
  reader: Reader,
  now: number,
): void {
  const id = change.type === 'upsert' ? change.record.id : change.id
  const version = versionOfChange(change)
  const pending = releases.get(id)
  if (pending && pending.version > version) return // an older version logged late changes nothing
  releases.delete(id)
  if (change.type !== 'upsert' || !isEmbargoed(change.record, now)) return
  const until = embargoOf(change.record)!
  if (visible(change, reader, until)) releases.set(id, { id, until, version })
}

/** The cursor's view of a change, as `reader` may see it at `now`. */
export function changeView(settings: PublicationSettings, change: Change, now: number): ChangeView {
  if (change.type === 'retract') {
    const { id, locale, at } = change
    const uri = itemId(settings, id, locale)
    const reason = change.reason ?? DEFAULT_RETRACTION_REASON
    return { type: 'retracted', id, locale, uri, version: versionOfChange(change), at, reason }
  }
  const { record } = change
  const updated = record.updatedAt !== undefined && record.updatedAt !== record.publishedAt
  return {
    type: updated ? 'updated' : 'published',
    id: record.id,
    locale: record.locale,
    uri: itemId(settings, record.id, record.locale),
    version: versionOf(record),
    at: record.updatedAt ?? record.publishedAt,
    item: settings.publicBaseUrl + ninjsItemPath(record.locale, record.id),
    ...(isEmbargoed(record, now) && { embargoedUntil: record.embargoUntil }),
  }
}

/** The `released` change of a pending release. */
export function releaseView(
  settings: PublicationSettings,
  release: PendingRelease,
  locale: Locale,
): ChangeView {
  const { id, version, until } = release
  return {
    type: 'released',
    id,
    locale,
    uri: itemId(settings, id, locale),
    version,
    at: new Date(until).toISOString(),
    item: settings.publicBaseUrl + ninjsItemPath(locale, id),
  }
}
