import { keepRunning, type KeepAlive } from '../ports/background.ts'
import type { Clock, Logger } from '../ports/observability.ts'
import { StorageUnavailableError, type ObjectStore } from '../ports/object-store.ts'
import { KeyIndex } from './partner-key-index.ts'
import { Coalescer } from './single-flight.ts'
import { KEYS } from './storage-keys.ts'

export interface KeyListingOptions {
  now: Clock
  /** How old the index may be (HOT_CACHE_MS): the bound on how long a revoked key still reads. */
  freshMs: number
  /**
   * How old the last index listed may be and still stand in while storage fails (`keyIndexStaleMs`):
   * the bound on how long a key revoked just before an outage still reads. 0 (the default): never.
   */
  staleIfErrorMs?: number
  /** Where a failed listing is reported (once per listing). */
  logger?: Logger
  /** Keeps a listing no request waits for running (a Worker's `waitUntil`); Node's by default. */
  keepAlive?: KeepAlive
}

// The age, as a share of `freshMs`, at which a read of a known key starts the next listing.
const REFRESH_AHEAD = 0.75

/**
 * The key index as listed from the bucket: relisted at most once per `freshMs`, one listing at a
 * time, whatever the traffic. While storage fails, the last index listed stands in for up to
 * `staleIfErrorMs` (a derived listing is a cache of the keys: it is not answered with a 503 while it
 * can stand in).
 */
export class KeyListing {
  #index: KeyIndex | undefined
  // The last index listed, without the keys revoked here since: what stands in while listings fail.
  #known: KeyIndex | undefined
  // When the last listing failed for want of storage; undefined once one succeeds.
  #failedAt: number | undefined
  // A caller that arrives during a listing joins the next one: it sees every write made before it came.
  readonly #refresh = new Coalescer<KeyIndex>()
  #ahead: Promise<unknown> | undefined

  constructor(
    private readonly store: ObjectStore,
    private readonly options: KeyListingOptions,
  ) {}

  /** The index while younger than `freshMs`, relisted ahead of time while keys are read. */
  hot(): KeyIndex | undefined {
    const index = this.#index
    const age = index ? this.options.now() - index.at : Infinity
    if (!index || age >= this.options.freshMs) return undefined
    // Relisted ahead of time while keys are read, so that reads do not wait for the listing; the
    // index answering is still never older than `freshMs`.
    if (age >= this.options.freshMs * REFRESH_AHEAD) this.#listAhead()
    return index
  }

  /**
   * The index, relisted when older than `freshMs` (callers wait for it: a revoked key must not read
   * on). While storage fails, the last index listed stands in: the reads after a failed listing do
   * not wait for storage, and a listing is tried again beside them, at most once per `freshMs`.
   */
  current(): Promise<KeyIndex> | KeyIndex {
    const index = this.#index
    const now = this.options.now()
    if (index && now - index.at < this.options.freshMs) return index
    const standIn = this.#standIn(now)
    if (standIn && this.#failedAt !== undefined) {
      if (now - this.#failedAt >= this.options.freshMs) this.#listAhead()
      return standIn
    }
    return this.listed()
  }

  /** Whether `index` is a stand-in (older than `freshMs`): a key it lacks may have been issued since. */
  isStandIn(index: KeyIndex): boolean {
    return this.options.now() - index.at >= this.options.freshMs
  }

  /** A new listing, or the stand-in when storage fails. */
  listed(): Promise<KeyIndex> {
    return this.list().catch((error: unknown) => {
      const fallback = error instanceof StorageUnavailableError && this.#standIn(this.options.now())
      if (fallback) return fallback
      throw error
    })
  }

  /** A new listing, for what must not answer from an older one (the admin API); it fails with storage. */
  list(): Promise<KeyIndex> {
    return this.#refresh.run('index', async () => {
      const at = this.options.now()
      let names: string[]
      try {
        names = await this.store.list(KEYS.partnerKeys)
      } catch (error) {
        this.#failed(error)
        throw error
      }
      const index = KeyIndex.fromListing(
        at,
        names.map((name) => name.slice(KEYS.partnerKeys.length)),
      )
      this.#index = index
      this.#known = index
      this.#failedAt = undefined
      return index
    })
  }

  /** After a key was added: the next read lists again. */
  forget(): void {
    this.#index = undefined
  }

  /** After keys were revoked here: the next read lists again, and no stand-in has them. */
  revoked(hashes: ReadonlySet<string>): void {
    this.#index = undefined
    this.#known = this.#known?.without(hashes)
  }

  // A failed listing is met again by the next read that needs one.
  #listAhead(): void {
    if (this.#ahead) return
    this.#ahead = this.list()
      .catch(() => undefined)
      .finally(() => (this.#ahead = undefined))
    ;(this.options.keepAlive ?? keepRunning)(this.#ahead)
  }

  /** The last index listed, while younger than `staleIfErrorMs`. */
  #standIn(now: number): KeyIndex | undefined {
    const known = this.#known
    return known && now - known.at <= (this.options.staleIfErrorMs ?? 0) ? known : undefined
  }

  #failed(error: unknown): void {
    const now = this.options.now()
    if (error instanceof StorageUnavailableError) this.#failedAt = now
    const known = this.#failedAt === now ? this.#standIn(now) : undefined
    this.options.logger?.warn(
      known
        ? 'partner key listing failed; the last listing stands in'
        : 'partner key listing failed; none stands in',
      {
        reason: error instanceof Error ? error.message : String(error),
        ...(known && { ageMs: now - known.at }),
      },
    )
  }
}
