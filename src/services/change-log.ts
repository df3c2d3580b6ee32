import type { Change } from '../domain/feed-snapshot.ts'
import { sortableTime } from '../domain/version.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { Clock } from '../ports/observability.ts'
import { KEYS } from './storage-keys.ts'
import { BoundedCache, CACHE_BOUNDS } from '../domain/bounded-cache.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** One change-log entry: its key and every change of the republish that wrote it. */
export interface LogEntry {
  key: string
  changes: readonly Change[]
  /** While the entry (and what its republish wrote beside it) is being stored: no feed may be stored before. */
  durable?: Promise<unknown>
}

/** A listing of the change log: the keys since `since`, and its place in this process's sequence of listings. */
/** A listing made for one reader alone (`listAlone`), begun at `at`: no place among the shared ones. */
export interface OwnListing {
  at: number
  keys: Promise<string[]>
  seq?: undefined
}

export interface Listing {
  since: number
  seq: number
  at: number
  keys: Promise<string[]>
}

/**
 * The append-only change log (`log/<time>-<id>.json`): one entry per republish with its changes in
 * every locale. Entries are never rewritten, so each is read at most once per process; a listing
 * may be shared by the renders that start within `sharedListingMs` of it.
 */
export class ChangeLog {
  readonly #entries = new BoundedCache<string, readonly Change[]>({
    ...CACHE_BOUNDS.changeLogEntries,
    // An empty entry still costs its place.
    weigh: (changes) => Math.max(1, changes.length),
  })
  #listing?: Listing
  #seq = 0

  constructor(
    private readonly store: ObjectStore,
    private readonly newId: () => string,
    private readonly now: Clock,
    /** How long a listing may serve other renders, so other processes' news is not held back longer. */
    private readonly sharedListingMs: number,
    /** Told when an entry this process appended is durable (wakes the change cursor's waiters). */
    private readonly onDurable: () => void = () => {},
  ) {}

  /** Appends one entry with every change of a republish; returns it once durable. */
  async append(changes: readonly Change[]): Promise<LogEntry> {
    const { entry, durable } = this.start(changes)
    await durable
    return entry
  }

  /**
   * Starts appending an entry: its key and changes at once (renders may use them meanwhile), and
   * `durable`, which resolves when the entry is in storage. Callers start it once what it names
   * (the versions and retractions it logs) is durable, so no reader (nor a render from the log)
   * ever sees a change that was not stored.
   */
  start(changes: readonly Change[]): { entry: LogEntry; durable: Promise<void> } {
    const key = `${KEYS.log}${sortableTime(this.now())}-${this.newId()}.json`
    this.#remember(key, changes)
    const durable = this.store
      .put(key, encoder.encode(JSON.stringify({ changes })), {
        contentType: 'application/json; charset=utf-8',
      })
      .then(() => this.onDurable())
    return { entry: { key, changes }, durable }
  }

  /**
   * The keys written at or after `since`. Without `after`, a listing begun at most `sharedListingMs`
   * ago that covers `since` will do (callers bring the entries they wrote themselves); with `after`,
   * only a listing begun after listing `after` (to see what other processes appended meanwhile).
   */
  list(since: number, after?: number): Listing {
    const shared = this.#listing
    if (
      shared &&
      shared.since <= since &&
      (after === undefined ? this.now() - shared.at < this.sharedListingMs : shared.seq > after)
    ) {
      return shared
    }
    const keys = this.store.list(KEYS.log, { startAfter: `${KEYS.log}${sortableTime(since - 1)}~` })
    const listing: Listing = { since, seq: ++this.#seq, at: this.now(), keys }
    this.#listing = listing
    keys.catch(() => {
      if (this.#listing === listing) this.#listing = undefined
    })
    return listing
  }

  /**
   * A listing of the keys written at or after `since`, begun now and shared with no one: for a
   * request that must not wait on another's I/O (workerd).
   */
  listAlone(since: number): OwnListing {
    const at = this.now()
    return { at, keys: this.store.list(KEYS.log, { startAfter: `${KEYS.log}${sortableTime(since - 1)}~` }) }
  }

  /** Where the listings stand now: `list(since, mark())` is then a listing begun after this call. */
  mark(): number {
    return this.#seq
  }

  /** The changes of one entry, or null when it is gone. */
  async read(key: string): Promise<readonly Change[] | null> {
    const known = this.#entries.get(key)
    if (known) return known
    const object = await this.store.get(key)
    if (!object) return null
    const { changes } = JSON.parse(decoder.decode(object.body)) as { changes: Change[] }
    this.#remember(key, changes)
    return changes
  }

  #remember(key: string, changes: readonly Change[]): void {
    this.#entries.set(key, changes)
  }
}
