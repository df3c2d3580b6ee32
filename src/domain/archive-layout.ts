import { embargoOf, type Article } from './article.ts'
import { addMonths, monthOf } from './archive-months.ts'
import { showsStory, type Audience } from './audience.ts'
import type { FeedDefinition } from './feed-definition.ts'
import type { RetractionReason } from './retraction.ts'
import { feedOrder, feedSelects } from './select-items.ts'

/** One story of a locale as archives see it: its newest version, or its retraction and the version it pulled. */
export type ArchiveStory =
  | { kind: 'live'; key: string; record: Article }
  | { kind: 'retracted'; key: string; at: string; reason?: RetractionReason; pulled: Article }

/** One month of a feed's archives: its stories (newest first), its tombstones, and its neighbours. */
export interface ArchiveMonth {
  month: string
  items: Article[]
  tombstones: { id: string; at: string; reason?: RetractionReason }[]
  prev?: string
  next?: string
  /** Changes exactly when the document's content does: its stories' versions, tombstones and links. */
  version: string
}

/** A feed's archives in one locale: every month from the oldest archived story's to the newest's. */
export interface ArchiveLayout {
  first?: string
  last?: string
  months: Map<string, ArchiveMonth>
}

/**
 * Which stories of a locale a feed's archives hold, for an audience at `now`. The stories the feed
 * shows beyond its window of `limit` go to the month of their `publishedAt` (UTC); a retracted story
 * that would sort beyond the window is a tombstone in its month. Months between the first and the
 * last are there even when empty, so `prev`/`next` links never skip and only the ends move.
 */
export function archiveLayout(
  definition: FeedDefinition,
  stories: readonly ArchiveStory[],
  audience: Audience,
  now: number,
): ArchiveLayout {
  const shown = (a: Article) => feedSelects(definition, a) && showsStory(audience, embargoOf(a), now)
  const live = stories.flatMap((s) => (s.kind === 'live' && shown(s.record) ? [s] : []))
  live.sort((a, b) => feedOrder(a.record, b.record))
  const cutoff = live[definition.limit - 1]?.record
  const months = new Map<string, ArchiveMonth>()
  if (!cutoff || live.length <= definition.limit) return { months }
  const archived = live.slice(definition.limit)
  const monthOfStory = (a: Article) => monthOf(Date.parse(a.publishedAt))
  const last = monthOfStory(archived[0]!.record)
  const pulled = stories.flatMap((s) =>
    s.kind === 'retracted' && shown(s.pulled) && feedOrder(cutoff, s.pulled) < 0 ? [s] : [],
  )
  let first = monthOfStory(archived.at(-1)!.record)
  for (const s of pulled) if (monthOfStory(s.pulled) < first) first = monthOfStory(s.pulled)
  for (let month = first; month <= last; month = addMonths(month, 1)) {
    months.set(month, { month, items: [], tombstones: [], version: '' })
  }
  for (const { record } of archived) months.get(monthOfStory(record))!.items.push(record)
  for (const s of pulled) {
    // A story pulled just past the window may be newer than the newest archived one: the last month keeps it.
    const month = months.get(monthOfStory(s.pulled)) ?? months.get(last)!
    month.tombstones.push({ id: s.pulled.id, at: s.at, ...(s.reason && { reason: s.reason }) })
  }
  const keys = new Map(stories.map((s) => [s.kind === 'live' ? s.record : s.pulled, s.key]))
  for (const month of months.values()) {
    if (month.month > first) month.prev = addMonths(month.month, -1)
    if (month.month < last) month.next = addMonths(month.month, 1)
    month.tombstones.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    month.version = [
      month.prev ?? '',
      month.next ?? '',
      ...month.items.map((a) => keys.get(a)),
      ...month.tombstones.map((t) => `${t.id} ${t.at} ${t.reason ?? ''}`),
    ].join('\n')
  }
  return { first, last, months }
}
