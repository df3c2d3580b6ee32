import type { ArchiveStory } from '../domain/archive-layout.ts'
import { BoundedCache } from '../domain/bounded-cache.ts'
import { localeOfChange, type Change } from '../domain/feed-snapshot.ts'
import type { Locale } from '../domain/locale.ts'
import { versionOf } from '../domain/version.ts'
import { REPOSITORY_CONCURRENCY, type StoryState } from './article-repository.ts'
import type { FeedService } from './feed-service.ts'
import { mapWithLimit } from './single-flight.ts'
import { KEYS, RETRACTED_SUFFIX } from './storage-keys.ts'

/** Stored versions kept read, so a new listing reads only what changed. */
const VERSIONS_MAX = 200_000
const RETRACTED = `${RETRACTED_SUFFIX}.json`

/** A locale's stories by id, at their newest versions. */
export type StoryMap = ReadonlyMap<string, ArchiveStory>

/** What a map of stories changed from the one before it: the stories a layout places again. */
export interface StoryDelta {
  before: StoryMap
  changed: ReadonlySet<string>
}

/**
 * The stories of a locale as archives need them: each at its newest version, a retracted one with
 * the version it pulled (its month and sections). Built once from a listing of the locale's
 * versions, then kept current from the change log: only entries not applied before are read, an
 * upsert newer than the version known is taken from its entry as it is (nothing read), and only a
 * retraction (or an upsert of a retracted story) looks its story up again. So the cost follows the
 * changes, not the size of the store.
 */
export class ArchiveStories {
  readonly #states = new BoundedCache<string, Promise<StoryState>>({ maxEntries: VERSIONS_MAX })
  /** The change-log keys each map reflects (those in its last listing). */
  readonly #applied = new WeakMap<StoryMap, ReadonlySet<string>>()
  /** Each map's change from the one before it, while it is the newest of its locale. */
  readonly #deltas = new WeakMap<StoryMap, StoryDelta>()
  /** The last listing of the change log: shared by the refreshes of every locale begun with it. */
  #listing?: { at: number; since: number; keys: Promise<string[]> }
  /** Log entries being read (the change log keeps them once read). */
  readonly #reading = new Map<string, Promise<readonly Change[] | null>>()

  constructor(private readonly feeds: FeedService) {}

  /** Every story of a locale: one listing of its versions, then the versions not read before. */
  async all(locale: Locale): Promise<StoryMap> {
    const keys = await this.feeds.articles.versionKeys(locale)
    const byStory = new Map<string, string[]>()
    for (const key of keys) {
      const folder = key.slice(0, key.lastIndexOf('/'))
      const versions = byStory.get(folder)
      if (versions) versions.push(key)
      else byStory.set(folder, [key])
    }
    const found = await mapWithLimit([...byStory.values()], REPOSITORY_CONCURRENCY, (v) => this.#story(v))
    return new Map(found.flatMap((story) => (story ? [[idOf(story), story] as const] : [])))
  }

  /** What `stories` changed from the map before it, when it was made by `since`. */
  deltaOf(stories: StoryMap): StoryDelta | undefined {
    return this.#deltas.get(stories)
  }

  /**
   * `previous` brought up to date with the change-log entries written since `since` that it does
   * not reflect yet (a listing begun at `now` or later). The same map when they change no story.
   */
  async since(locale: Locale, previous: StoryMap, since: number, now: number): Promise<StoryMap> {
    const keys = await this.#list(since, now)
    const applied = this.#applied.get(previous)
    const fresh = applied ? keys.filter((key) => !applied.has(key)) : keys
    const entries = await mapWithLimit(fresh, REPOSITORY_CONCURRENCY, (key) => this.#read(key))
    // The last change of each story in the log's order; a retraction stays (storage decides then).
    const changes = new Map<string, Change>()
    for (const change of entries.flatMap((list) => list ?? [])) {
      if (localeOfChange(change) !== locale) continue
      const id = change.type === 'upsert' ? change.record.id : change.id
      if (changes.get(id)?.type !== 'retract') changes.set(id, change)
    }
    const next = new Map(previous)
    const changed = new Set<string>()
    await mapWithLimit([...changes], REPOSITORY_CONCURRENCY, async ([id, change]) => {
      const known = previous.get(id)
      const story = await this.#after(locale, id, known, change)
      if (story === known) return
      changed.add(id)
      if (story) next.set(id, story)
      else next.delete(id)
    })
    const result = changed.size === 0 ? previous : next
    this.#applied.set(result, new Set(keys))
    if (result !== previous) {
      // Only the newest map's delta is kept: older maps are then free to go.
      this.#deltas.delete(previous)
      this.#deltas.set(result, { before: previous, changed })
    }
    return result
  }

  /** A story after a logged change: an upsert newer than the version known is the entry's record. */
  async #after(
    locale: Locale,
    id: string,
    known: ArchiveStory | undefined,
    change: Change,
  ): Promise<ArchiveStory | undefined> {
    if (change.type === 'upsert' && known?.kind !== 'retracted') {
      const key = KEYS.articleVersion(locale, id, versionOf(change.record))
      return known && key <= known.key ? known : { kind: 'live', key, record: change.record }
    }
    return this.#story(await this.feeds.articles.versionKeys(locale, id))
  }

  /** A log entry, read once however many locales ask for it at the same time. */
  #read(key: string): Promise<readonly Change[] | null> {
    let reading = this.#reading.get(key)
    if (!reading) {
      reading = this.feeds.changeLog.read(key)
      this.#reading.set(key, reading)
      const done = () => this.#reading.delete(key)
      reading.then(done, done)
    }
    return reading
  }

  /** The keys of the log written at or after `since`, from a listing begun at `now` or later. */
  #list(since: number, now: number): Promise<string[]> {
    const shared = this.#listing
    if (shared && shared.at >= now && shared.since <= since) return shared.keys
    const listing = { at: now, since, keys: this.feeds.changeLog.listAlone(since).keys }
    this.#listing = listing
    listing.keys.catch(() => {
      if (this.#listing === listing) this.#listing = undefined
    })
    return listing.keys
  }

  /** A story from its version keys (sorted): the newest, and for a retraction the version it pulled. */
  async #story(versions: readonly string[]): Promise<ArchiveStory | undefined> {
    const head = versions.at(-1)
    if (head === undefined) return undefined
    const pulled = head.endsWith(RETRACTED) ? versions.findLast((k) => !k.endsWith(RETRACTED)) : undefined
    const [state, before] = await Promise.all([this.#state(head), pulled ? this.#state(pulled) : null])
    if (state?.kind === 'live') return { kind: 'live', key: head, record: state.record }
    if (state?.kind !== 'retracted' || before?.kind !== 'live') return undefined
    const { at, reason, embargoed } = state
    const extra = { ...(reason && { reason }), ...(embargoed && { embargoed }) }
    return { kind: 'retracted', key: head, at, pulled: before.record, ...extra }
  }

  /** A stored version, read once per process (versions are never overwritten). */
  #state(key: string): Promise<StoryState> {
    let state = this.#states.get(key)
    if (!state) {
      state = this.feeds.articles.state(key)
      this.#states.set(key, state)
      state.catch(() => this.#states.delete(key))
    }
    return state
  }
}

const idOf = (story: ArchiveStory) => (story.kind === 'live' ? story.record.id : story.pulled.id)
