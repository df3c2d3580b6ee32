import { embargoOf, type Article } from '../domain/article.ts'
import { publicAudience } from '../domain/audience.ts'
import { isEmbargoed } from '../domain/embargo.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import { localeOfChange, type Change } from '../domain/feed-snapshot.ts'
import type { Locale } from '../domain/locale.ts'
import { DEFAULT_RETRACTION_REASON, type RetractionReason } from '../domain/retraction.ts'
import { feedSelects } from '../domain/select-items.ts'
import { versionOf } from '../domain/version.ts'
import { ninjsItemPath } from '../domain/url-scheme.ts'
import { itemId, type PublicationSettings } from '../render/feed-model.ts'
import { retractionVersion, storyKey, type ArticleRepository, type StoryState } from './article-repository.ts'
import type { PendingRelease } from './change-cursor.ts'
import { mapWithLimit } from './single-flight.ts'

/**
 * Who reads the cursor, with the feeds whose stories it may hear of in the cursor's locale: the
 * public (the feeds anyone may read there), or a partner through its entitlements (the feeds it may
 * read there, whether it sees stories still under embargo, and, read by its keyed URL, the keyed
 * base its item links start with instead of the public base URL).
 */
export type Reader =
  | { kind: 'public'; feeds: readonly FeedDefinition[] }
  | { kind: 'partner'; feeds: readonly FeedDefinition[]; embargoed: boolean; itemBase?: string }

/** The base URL of the item links a reader is given. */
export function itemBaseOf(settings: PublicationSettings, reader: Reader): string {
  return (reader.kind === 'partner' && reader.itemBase) || settings.publicBaseUrl
}

/** The public's view of a locale: the stories of the feeds of the locale that are not partners-only. */
export function publicReader(catalog: readonly FeedDefinition[], locale: Locale): Reader {
  return { kind: 'public', feeds: catalog.filter((d) => publicAudience(d) && d.locales.includes(locale)) }
}

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
 * Can this reader see this change at `now`? A reader sees the changes of the stories in the feeds it
 * may read in the locale (a retraction by the sections of the version it pulled): the public, those
 * of the public feeds (a story only in partners-only feeds is none of its business), but a version
 * still under embargo (announced by a `released` change at its time) and the retraction of a story
 * pulled before any version of it was released (it never saw the story; one pulled under a newer
 * version's embargo after it saw an older one, it did, and hears of it); a partner, embargoed
 * versions too with that entitlement.
 */
export function visible(change: Change, reader: Reader, now: number): boolean {
  const embargoed = change.type === 'upsert' ? isEmbargoed(change.record, now) : change.embargoed === true
  const story = change.type === 'upsert' ? change.record : { sections: change.sections }
  if (!reader.feeds.some((feed) => feedSelects(feed, story))) return false
  return !embargoed || (reader.kind === 'partner' && reader.embargoed)
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

/** The cursor's view of a change at `now`, its item link under `base` (the public base URL by default). */
export function changeView(
  settings: PublicationSettings,
  change: Change,
  now: number,
  base = settings.publicBaseUrl,
): ChangeView {
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
    item: base + ninjsItemPath(record.locale, record.id),
    ...(isEmbargoed(record, now) && { embargoedUntil: record.embargoUntil }),
  }
}

/** The `released` change of a pending release. */
export function releaseView(
  settings: PublicationSettings,
  release: PendingRelease,
  locale: Locale,
  base = settings.publicBaseUrl,
): ChangeView {
  const { id, version, until } = release
  return {
    type: 'released',
    id,
    locale,
    uri: itemId(settings, id, locale),
    version,
    at: new Date(until).toISOString(),
    item: base + ninjsItemPath(locale, id),
  }
}

/**
 * The versions among `changes` that a reader who does not see embargoed stories must not be shown at
 * `now`, although their own embargo (if any) is over: the story's newest known version is still
 * under embargo (a postponed embargo, or a newer version sent under embargo), or the story was
 * pulled before its embargo ended. Such a reader never learns of those versions while the story is
 * not public: it gets the newest version's `released` change at its time instead (the public ninjs
 * item answers 404 until then), and a story pulled under embargo not even then.
 *
 * What the log tells comes first: a newer change of the story in `changes` or a release the cursor
 * holds (`pending`). Storage is asked, as it is now, only for versions whose embargo has passed
 * (one listing of their heads, and a read of a head that is not the version itself): there a newer
 * version may be stored but not yet in the log the reader was given.
 */
export async function withheldVersions(
  articles: Pick<ArticleRepository, 'heads' | 'stateAt'>,
  locale: Locale,
  changes: readonly Change[],
  pending: readonly PendingRelease[],
  reader: Reader,
  now: number,
): Promise<Set<Article>> {
  const hidden = new Set<Article>()
  if (reader.kind === 'partner' && reader.embargoed) return hidden
  const ours = changes.filter((change) => localeOfChange(change) === locale)
  // The newest change of each story the log holds here: a version, a retraction, or a pending release.
  const newest = new Map<string, { version: string; unreleased: boolean }>()
  const know = (id: string, version: string, unreleased: boolean) => {
    const known = newest.get(id)
    if (!known || version > known.version) newest.set(id, { version, unreleased })
  }
  for (const release of pending) know(release.id, release.version, release.until > now)
  for (const change of ours) {
    const unreleased = change.type === 'upsert' ? isEmbargoed(change.record, now) : change.embargoed === true
    know(change.type === 'upsert' ? change.record.id : change.id, versionOfChange(change), unreleased)
  }
  const passed: { record: Article; embargo: number }[] = []
  for (const change of ours) {
    if (change.type !== 'upsert') continue
    const { record } = change
    const last = newest.get(record.id)!
    if (last.version > versionOf(record) && last.unreleased) {
      hidden.add(record)
      continue
    }
    const embargo = embargoOf(record)
    if (embargo !== undefined && embargo <= now) passed.push({ record, embargo })
  }
  if (passed.length === 0) return hidden
  const heads = await articles.heads(passed.map(({ record }) => ({ locale, id: record.id })))
  const states = new Map<string, Promise<StoryState>>()
  const stateAt = (key: string) => {
    let state = states.get(key)
    if (!state) states.set(key, (state = articles.stateAt(key)))
    return state
  }
  await mapWithLimit(passed, 8, async ({ record, embargo }) => {
    const head = heads.get(storyKey({ locale, id: record.id }))
    if (!head) return
    if (head.kind === 'retracted') {
      // Pulled before this version's embargo ended, or before a newer (postponed) one's.
      if (Date.parse(head.at) < embargo) hidden.add(record)
      else {
        const stored = await stateAt(head.key)
        if (stored?.kind === 'retracted' && stored.embargoed === true) hidden.add(record)
      }
      return
    }
    if (head.version <= versionOf(record)) return
    const stored = await stateAt(head.key)
    if (stored?.kind === 'live' && isEmbargoed(stored.record, now)) hidden.add(record)
  })
  return hidden
}
