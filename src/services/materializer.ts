import type { Article } from '../domain/article.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import { applyChanges, EMPTY_SNAPSHOT, localeOfChange, type FeedSnapshot } from '../domain/feed-snapshot.ts'
import type { Locale } from '../domain/locale.ts'
import {
  PreconditionFailedError,
  StorageUnavailableError,
  type ObjectStore,
  type PutCondition,
  type StoredObject,
} from '../ports/object-store.ts'
import type { DamageLog } from './damage-log.ts'
import type { ArticleRepository } from './article-repository.ts'
import type { ChangeLog, LogEntry } from './change-log.ts'
import type { Clock } from '../ports/observability.ts'
import { mapWithLimit, SingleFlight } from './single-flight.ts'
import { decodeSnapshot, writeSnapshot } from './snapshot-codec.ts'
import { KEYS } from './storage-keys.ts'
import type { FeedTiming } from './timing.ts'

/** One locale of a feed brought up to date: its snapshot, and the change-log read it came from. */
export interface LocaleState {
  locale: Locale
  snapshot: FeedSnapshot
  since: number
  listed: readonly string[]
}

/**
 * Brings feed snapshots up to date with the change log. The snapshot this process last rendered
 * from stands in for the stored one while it is recent (`snapshotMemoryMs`): the log since it holds
 * whatever other processes added, and applying changes is order-independent. Snapshots are stored
 * as checkpoints every `checkpointMs`.
 */
export class Materializer {
  // These Maps hold one entry per catalogue feed × locale: finite by construction.
  /** The snapshot this process last rendered each feed and locale from (stored or not). */
  readonly #snapshots = new Map<string, FeedSnapshot>()
  /** When (listedAt) the stored snapshot was taken, per feed and locale, as far as this process knows. */
  readonly #checkpoints = new Map<string, number>()
  /** The store's ETag of each stored snapshot as this process last read or wrote it (null: none). */
  readonly #snapshotEtags = new Map<string, string | null>()
  /** Full scans of a locale's stories, shared by the feeds built at the same time (a cold start). */
  readonly #scans = new SingleFlight<Article[]>()

  constructor(
    private readonly store: ObjectStore,
    private readonly log: ChangeLog,
    private readonly articles: ArticleRepository,
    private readonly timing: FeedTiming & { tombstoneMs: number },
    private readonly now: Clock,
    private readonly damage?: DamageLog,
  ) {}

  /**
   * Every locale of a feed advanced to the change log, the entries the caller wrote included. With
   * `trustMemory`, a locale whose snapshot this process rendered recently takes only those entries,
   * without listing the log: the caller then checks `missedAny` after writing, which finds what
   * other processes appended meanwhile, and advances again with a listing. With `after` (a `mark()`),
   * the log is read by a listing begun after that mark: one shared from before would miss what
   * another process appended before it stored the rendering that made the caller go round again.
   */
  advance(
    definition: FeedDefinition,
    written: readonly LogEntry[],
    trustMemory = false,
    after?: number,
  ): Promise<LocaleState[]> {
    return Promise.all(
      definition.locales.map((locale) => this.#advance(definition, locale, written, trustMemory, after)),
    )
  }

  /** How far back each read of the log starts before the last: a snapshot's `applied` spans it. */
  get overlapMs(): number {
    return this.timing.overlapMs
  }

  /** A mark to pass to `missedAny` once the states' renders are durable. */
  mark(): number {
    return this.log.mark()
  }

  /**
   * Does the log, read after `mark`, hold a change in one of the states' locales that they were not
   * built from? (Another process wrote between our read and our write.)
   */
  async missedAny(states: readonly LocaleState[], mark: number): Promise<boolean> {
    const { keys } = this.log.list(Math.min(...states.map((s) => s.since)), mark)
    const covered = states.map(({ locale, snapshot, listed }) => ({
      locale,
      keys: new Set([...snapshot.applied, ...listed]),
    }))
    for (const key of await keys) {
      const missedBy = covered.filter((c) => !c.keys.has(key)).map((c) => c.locale)
      if (missedBy.length === 0) continue
      const changes = await this.log.read(key)
      if (changes?.some((change) => missedBy.includes(localeOfChange(change)))) return true
    }
    return false
  }

  /** Stores a state's snapshot when the stored one is a checkpoint old (or unknown); else nothing. */
  checkpoint(feedId: string, { locale, snapshot }: LocaleState): Promise<void> | undefined {
    const key = `${feedId}/${locale}`
    const stored = this.#checkpoints.get(key)
    if (stored !== undefined && snapshot.listedAt - stored < this.timing.checkpointMs) return undefined
    // Only over the checkpoint this process knows of: one another instance stored meanwhile stays
    // (where the store keeps to conditions), and is learnt so that the next one is due from it.
    const seen = this.#snapshotEtags.get(key)
    const condition: PutCondition | undefined =
      seen === undefined ? undefined : seen === null ? { ifNoneMatch: '*' } : { ifMatch: seen }
    return writeSnapshot(this.store, feedId, locale, snapshot, condition).then(
      ({ etag }) => {
        this.#checkpoints.set(key, snapshot.listedAt)
        this.#snapshotEtags.set(key, etag)
      },
      async (error: unknown) => {
        if (!(error instanceof PreconditionFailedError)) throw error
        const theirs = await this.#readSnapshot(feedId, locale)
        if (theirs) this.#checkpoints.set(key, theirs.listedAt)
        else this.#checkpoints.delete(key)
      },
    )
  }

  /** Remembers the states a render made durable, to stand in for the stored snapshots. */
  remember(feedId: string, states: readonly LocaleState[]): void {
    for (const { locale, snapshot } of states) this.#snapshots.set(`${feedId}/${locale}`, snapshot)
  }

  /**
   * The stored snapshot, or null when there is none or it cannot be used: a snapshot is a checkpoint
   * of the records and the log, so one that cannot be read or decoded is rebuilt from them (and
   * stored again, as its checkpoint is then unknown) rather than failing the feed.
   */
  async #readSnapshot(feedId: string, locale: Locale): Promise<FeedSnapshot | null> {
    const key = KEYS.snapshot(feedId, locale)
    let object: StoredObject | null
    try {
      object = await this.store.get(key)
    } catch (error) {
      if (!(error instanceof StorageUnavailableError)) throw error
      this.damage?.report(
        key,
        'stored snapshot could not be read; rebuilding it from the records',
        error.message,
      )
      return null
    }
    this.#snapshotEtags.set(`${feedId}/${locale}`, object?.etag ?? null)
    if (!object) return null
    const snapshot = decodeSnapshot(object.body)
    if (snapshot) this.damage?.healthy(key)
    else this.damage?.report(key, 'stored snapshot is damaged; rebuilding it from the records')
    return snapshot
  }

  async #advance(
    definition: FeedDefinition,
    locale: Locale,
    written: readonly LogEntry[],
    trustMemory: boolean,
    after: number | undefined,
  ): Promise<LocaleState> {
    const { overlapMs, tombstoneMs, snapshotMemoryMs } = this.timing
    const key = `${definition.id}/${locale}`
    const remembered = this.#snapshots.get(key)
    let stored = remembered
    if (!remembered || this.now() - remembered.listedAt >= snapshotMemoryMs) {
      stored = (await this.#readSnapshot(definition.id, locale)) ?? undefined
      if (stored) this.#checkpoints.set(key, stored.listedAt)
      else this.#checkpoints.delete(key)
    }
    const listedAt = this.now()
    const since = (stored ? stored.listedAt : listedAt) - overlapMs
    // A shared listing may predate what the caller wrote; the caller's entries are added to it.
    const own = written.map((e) => e.key)
    const listed =
      trustMemory && stored === remembered && stored
        ? own
        : [...new Set([...(await this.log.list(since, after).keys), ...own])]
    let base = stored
    if (!base || (!base.complete && base.items.length < definition.limit)) {
      base = applyChanges(
        definition,
        EMPTY_SNAPSHOT,
        (await this.#scans.run(locale, () => this.articles.loadAll(locale))).map((record) => ({
          key: '',
          change: { type: 'upsert', record },
        })),
        { now: listedAt, tombstoneMs, listedAt, overlapMs },
      )
    }
    const applied = new Set(base.applied)
    const fresh = listed.filter((k) => !applied.has(k))
    const entries = await mapWithLimit(fresh, 16, async (key) => ({
      key,
      changes: (await this.log.read(key)) ?? [],
    }))
    const changes = entries.flatMap(({ key, changes }) =>
      changes.filter((change) => localeOfChange(change) === locale).map((change) => ({ key, change })),
    )
    const snapshot = applyChanges(definition, base, changes, {
      now: listedAt,
      tombstoneMs,
      listedAt,
      overlapMs,
      read: fresh,
    })
    return { locale, snapshot, since, listed }
  }
}
