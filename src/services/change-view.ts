import { embargoOf, type Article } from '../domain/article.ts'
import { isEmbargoed } from '../domain/embargo.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import type { Change } from '../domain/feed-snapshot.ts'
import type { Locale } from '../domain/locale.ts'
import { DEFAULT_RETRACTION_REASON, type RetractionReason } from '../domain/retraction.ts'
import { feedSelects } from '../domain/select-items.ts'
import { versionOf } from '../domain/version.ts'
import { ninjsItemPath } from '../domain/url-scheme.ts'
import { itemId, type PublicationSettings } from '../render/feed-model.ts'
import { retractionVersion, storyKey, type ArticleRepository } from './article-repository.ts'
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
 * still under embargo (announced by a `released` change at its time) and the retraction of a version
 * pulled under embargo (it never saw the story). A partner sees the changes of the stories in the
 * feeds it may read in the locale (a retraction by the sections of the version it pulled), those of
 * embargoed versions only with that entitlement.
 */
export function visible(change: Change, reader: Reader, now: number): boolean {
  const embargoed = change.type === 'upsert' ? isEmbargoed(change.record, now) : change.embargoed === true
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

/**
 * The versions among `changes` that were pulled before their embargo ended, as storage tells now
 * (the story's newest state is a retraction from before that embargo): a reader who does not see
 * embargoed stories never learns of them, not even once their embargo time has passed. Asks storage
 * only when such a reader meets a version whose embargo has passed.
 */
export async function pulledUnreleased(
  articles: Pick<ArticleRepository, 'heads'>,
  locale: Locale,
  changes: readonly Change[],
  reader: Reader,
  now: number,
): Promise<Set<Article>> {
  const hidden = new Set<Article>()
  if (reader.kind === 'partner' && reader.embargoed) return hidden
  const released = changes.flatMap((change) => {
    if (change.type !== 'upsert' || change.record.locale !== locale) return []
    const embargo = embargoOf(change.record)
    return embargo !== undefined && embargo <= now ? [{ record: change.record, embargo }] : []
  })
  if (released.length === 0) return hidden
  const heads = await articles.heads(released.map(({ record }) => ({ locale, id: record.id })))
  for (const { record, embargo } of released) {
    const head = heads.get(storyKey({ locale, id: record.id }))
    if (head?.kind === 'retracted' && Date.parse(head.at) < embargo) hidden.add(record)
  }
  return hidden
}
