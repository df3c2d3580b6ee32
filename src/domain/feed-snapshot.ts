import { lastChangeOf, type Article } from './article.ts'
import type { FeedDefinition } from './feed-definition.ts'
import type { Locale } from './locale.ts'
import { feedSelects, selectItems } from './select-items.ts'
import { DEFAULT_RETRACTION_REASON, strongerReason, type RetractionReason } from './retraction.ts'
import { versionOf } from './version.ts'

/** One change in the change log: what a webhook did to one story in one locale. */
export type Change =
  | { type: 'upsert'; record: Article }
  | {
      type: 'retract'
      id: string
      locale: Locale
      at: string
      /** of the pulled version */ sections: string[]
      /** A derived variant pulled with its source story: ranks below any record an editor sent. */
      derived?: boolean
      /** Absent in entries logged before retractions had reasons: a withdrawal. */
      reason?: RetractionReason
      /**
       * Pulled before the public saw any version (the one pulled was under embargo, none was released
       * before it): only readers of embargoed stories may learn of it.
       */
      embargoed?: boolean
    }

/** A story pulled from a feed, remembered so partners learn of it (RFC 6721 tombstone). */
interface Tombstone {
  id: string
  at: string
  derived?: boolean
  reason?: RetractionReason
  /**
   * Pulled before any version of it was released: only readers who see embargoed stories ever saw
   * it, so only their feeds carry the tombstone (the public never learns the story existed).
   */
  embargoed?: boolean
}

/**
 * Does a retraction outrank a version? Editors' records and retractions outrank derived ones
 * whatever their dates (as `DERIVED_PREFIX` orders the stored keys); among equals, the later wins and
 * a retraction wins a tie.
 */
export function retractionBeats(retraction: { at: string; derived?: boolean }, record: Article): boolean {
  const retractionDerived = retraction.derived === true
  if (retractionDerived !== (record.derivedFrom !== undefined)) return !retractionDerived
  return Date.parse(retraction.at) >= lastChangeOf(record)
}

/**
 * The materialized state of one feed in one locale: its newest items (with room to spare, so a
 * retraction can promote the next story), tombstones, and which change-log entries it contains.
 */
export interface FeedSnapshot {
  items: Article[]
  tombstones: Tombstone[]
  /** Change-log keys already merged, within the overlap window. */
  applied: string[]
  /** False when stories were cut to fit: a retraction may then need a full rebuild. */
  complete: boolean
  /** When (ms) the change log was last read for this snapshot: the next read starts an overlap before it. */
  listedAt: number
}

export const EMPTY_SNAPSHOT: FeedSnapshot = {
  items: [],
  tombstones: [],
  applied: [],
  complete: true,
  listedAt: 0,
}

/** How many items a snapshot keeps for a feed: its limit and as many again. */
function snapshotCapacity(definition: FeedDefinition): number {
  return definition.limit * 2
}

/** Does version `a` of a story win over `b`? Newest change first; equal times by content, so every order agrees. */
function newerThan(a: Article, b: Article): boolean {
  return versionOf(a) > versionOf(b)
}

/**
 * Applies changes to a snapshot. Pure and order-independent: the newest version of each story wins,
 * a retraction beats versions older than itself, and applying a change twice changes nothing.
 */
export function applyChanges(
  definition: FeedDefinition,
  snapshot: FeedSnapshot,
  changes: readonly { key: string; change: Change }[],
  options: {
    now: number
    tombstoneMs: number
    listedAt: number
    overlapMs: number
    /** Change-log entries read in full, whether or not they held a change for this feed. */
    read?: readonly string[]
  },
): FeedSnapshot {
  const items = new Map(snapshot.items.map((a) => [a.id, a]))
  const tombstones = new Map(snapshot.tombstones.map((t) => [t.id, t]))
  // Per story, the newest version and the strongest retraction among the changes, then whichever
  // outranks the other (and what the snapshot holds) decides: the order of the changes cannot matter.
  const stories = new Map<string, { version?: Article; retraction?: Tombstone; shown: boolean }>()
  for (const { change } of changes) {
    const id = change.type === 'upsert' ? change.record.id : change.id
    let story = stories.get(id)
    if (!story) stories.set(id, (story = { shown: false }))
    if (change.type === 'upsert') {
      if (!story.version || newerThan(change.record, story.version)) story.version = change.record
      story.shown ||= feedSelects(definition, change.record)
    } else {
      const tombstone: Tombstone = {
        id,
        at: change.at,
        ...(change.derived && { derived: true }),
        ...(change.reason && { reason: change.reason }),
        ...(change.embargoed && { embargoed: true }),
      }
      if (!story.retraction || outranks(tombstone, story.retraction)) story.retraction = tombstone
      story.shown ||= feedSelects(definition, { sections: change.sections })
    }
  }
  for (const [id, story] of stories) {
    const current = items.get(id)
    const known = tombstones.get(id)
    const upserted =
      story.version && (!current || newerThan(story.version, current)) ? story.version : undefined
    const version = upserted ?? current
    const retraction =
      story.retraction && (!known || outranks(story.retraction, known)) ? story.retraction : known
    if (retraction && (!version || retractionBeats(retraction, version))) {
      items.delete(id)
      // A feed remembers a retraction only of a story it showed (or could have). Whether the public
      // saw the story (`embargoed`) comes with the retraction as logged: decided from every version
      // stored before, not only the one this feed holds (a newer one under embargo, say).
      if (current || known || story.shown) tombstones.set(id, retraction)
    } else if (upserted) {
      tombstones.delete(id)
      if (feedSelects(definition, upserted)) items.set(id, upserted)
      else items.delete(id)
    }
  }
  const ordered = selectItems({ ...definition, limit: Number.MAX_SAFE_INTEGER }, [...items.values()])
  const capacity = snapshotCapacity(definition)
  return {
    items: ordered.slice(0, capacity),
    tombstones: [...tombstones.values()]
      .filter((t) => options.now - Date.parse(t.at) < options.tombstoneMs)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    // Keys older than the next read's window can never be listed again: forget them.
    applied: [...new Set([...snapshot.applied, ...changes.map((c) => c.key), ...(options.read ?? [])])]
      .filter((key) => key !== '' && changeTime(key) >= options.listedAt - options.overlapMs)
      .sort(),
    complete: snapshot.complete && ordered.length <= capacity,
    listedAt: Math.max(snapshot.listedAt, options.listedAt),
  }
}

function outranks(a: Tombstone, b: Tombstone): boolean {
  if (!a.derived !== !b.derived) return !a.derived
  const [atA, atB] = [Date.parse(a.at), Date.parse(b.at)]
  // The same retraction logged again with a weightier reason (a withdrawal that became a kill).
  if (atA === atB) return strongerReason(a.reason, b.reason) !== (b.reason ?? DEFAULT_RETRACTION_REASON)
  return atA > atB
}

/** The locale a change is about. */
export function localeOfChange(change: Change): Locale {
  return change.type === 'upsert' ? change.record.locale : change.locale
}

/** The write time encoded in a change-log key (`log/<15-digit ms>-<id>.json`). */
export function changeTime(key: string): number {
  return Number(key.slice(key.lastIndexOf('/') + 1, key.lastIndexOf('/') + 16))
}
