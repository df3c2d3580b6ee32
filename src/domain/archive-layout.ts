import { embargoOf, type Article } from './article.ts'
import { addMonths, monthOf } from './archive-months.ts'
import { showsStory, type Audience } from './audience.ts'
import { nextRelease } from './embargo.ts'
import type { FeedDefinition } from './feed-definition.ts'
import type { RetractionReason } from './retraction.ts'
import { feedOrder, feedSelects } from './select-items.ts'

/** One story of a locale as archives see it: its newest version, or its retraction and the version it pulled. */
export type ArchiveStory =
  | { kind: 'live'; key: string; record: Article }
  | {
      kind: 'retracted'
      key: string
      at: string
      reason?: RetractionReason
      pulled: Article
      /** Pulled before the public saw any version: its tombstone is for readers of embargoed stories only. */
      embargoed?: true
    }

type Live = Extract<ArchiveStory, { kind: 'live' }>
type Pulled = Extract<ArchiveStory, { kind: 'retracted' }>

/**
 * Is an audience told of a pulled story? When the feed selects it and the audience saw a version of
 * it: the public did unless it was pulled before any was released (even once its embargo time is
 * past), whether or not the version pulled, newer than one it saw, is still under embargo.
 */
function toldOf(definition: FeedDefinition, audience: Audience): (s: Pulled) => boolean {
  return (s) => feedSelects(definition, s.pulled) && (audience.embargoed || s.embargoed !== true)
}

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
  /** The live stories the feed shows, in feed order: what the next update starts from. */
  live: readonly Live[]
  /** When a story the feed holds back leaves its embargo: the layout is out of date from then on. */
  releaseAt?: number
}

/**
 * Which stories of a locale a feed's archives hold, for an audience at `now`. The stories the feed
 * shows beyond its window of `limit` go to the month of their `publishedAt` (UTC); a retracted story
 * is a tombstone in its month when that month is archived or the story would sort beyond the window
 * (in the newest month when it is newer than every archived story). Months between the first and the
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
  const held = stories.flatMap((s) =>
    s.kind === 'live' && feedSelects(definition, s.record) && !shown(s.record) ? [s.record] : [],
  )
  return monthsOf(definition, stories, live, toldOf(definition, audience), nextRelease(held, now))
}

/**
 * `previous` (the layout of `before`) brought to `stories`, which differ from `before` in the
 * stories `changed` only: each changed story leaves and re-enters the feed order at its place (no
 * sort of the rest). When every change stays inside the window and the window keeps its size and
 * last story, the months are the previous ones, objects and all (rendered documents stay valid);
 * otherwise they are laid out again from the order. A release from embargo since, or a retraction
 * among the changes, lays the feed out anew.
 */
export function updateLayout(
  previous: ArchiveLayout,
  definition: FeedDefinition,
  change: { before: ReadonlyMap<string, ArchiveStory>; stories: ReadonlyMap<string, ArchiveStory> },
  changed: Iterable<string>,
  audience: Audience,
  now: number,
): ArchiveLayout {
  const { before, stories } = change
  const full = () => archiveLayout(definition, [...stories.values()], audience, now)
  if (previous.releaseAt !== undefined && previous.releaseAt <= now) return full()
  const shown = (a: Article) => feedSelects(definition, a) && showsStory(audience, embargoOf(a), now)
  const { limit } = definition
  const live = previous.live.slice()
  const cutoff = live[limit - 1]
  let releaseAt = previous.releaseAt
  let moved = false
  let shift = 0
  for (const id of changed) {
    const old = before.get(id)
    const next = stories.get(id)
    if (old?.kind === 'retracted' || next?.kind === 'retracted') return full()
    if (old && shown(old.record)) {
      const at = placeOf(live, old.record)
      if (live[at] !== old) return full()
      live.splice(at, 1)
      if (at >= limit) moved = true
      else shift--
    }
    if (!next || !feedSelects(definition, next.record)) continue
    if (!shown(next.record)) {
      const release = nextRelease([next.record], now)
      if (release !== undefined) releaseAt = Math.min(releaseAt ?? release, release)
      continue
    }
    const at = placeOf(live, next.record)
    live.splice(at, 0, next)
    if (at >= limit) moved = true
    else shift++
  }
  const archived = Math.max(previous.live.length, live.length) > limit
  if (moved || (archived && (shift !== 0 || live[limit - 1] !== cutoff))) {
    return monthsOf(definition, [...stories.values()], live, toldOf(definition, audience), releaseAt)
  }
  return { ...previous, live, ...(releaseAt !== undefined && { releaseAt }) }
}

/** Where `record` goes in the feed order `live` (the first place it sorts before). */
function placeOf(live: readonly Live[], record: Article): number {
  let low = 0
  let high = live.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (feedOrder(live[mid]!.record, record) < 0) low = mid + 1
    else high = mid
  }
  return low
}

/** The months of a feed whose shown live stories, in feed order, are `live`. */
function monthsOf(
  definition: FeedDefinition,
  stories: readonly ArchiveStory[],
  live: readonly Live[],
  told: (s: Pulled) => boolean,
  releaseAt: number | undefined,
): ArchiveLayout {
  const cutoff = live[definition.limit - 1]?.record
  const months = new Map<string, ArchiveMonth>()
  const base = { live, ...(releaseAt !== undefined && { releaseAt }) }
  if (!cutoff || live.length <= definition.limit) return { months, ...base }
  const archived = live.slice(definition.limit)
  const monthOfStory = (a: Article) => monthOf(Date.parse(a.publishedAt))
  const last = monthOfStory(archived[0]!.record)
  // Archives are history: a tombstone stays in its month's archive also once the window moves back
  // past it (a retraction in the window, a story leaving the feed), so every pulled story of an
  // archived month is one, as is every one sorting past the window.
  const pulled = stories.flatMap((s) =>
    s.kind === 'retracted' && told(s) && (monthOfStory(s.pulled) <= last || feedOrder(cutoff, s.pulled) < 0)
      ? [s]
      : [],
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
  const keys = new Map(archived.map((s) => [s.record, s.key]))
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
  return { first, last, months, ...base }
}
