/** The bounds of a {@link BoundedCache}: entries always, total weight (e.g. bytes) when `weigh` is given. */
export interface CacheBounds<V> {
  maxEntries: number
  /** With `weigh`: the most the values may weigh together; a value heavier than this is not kept. */
  maxWeight?: number
  weigh?: (value: V) => number
}

/**
 * A least-recently-used cache with a fixed bound: the one helper every cache in the process uses,
 * so no cache grows with what clients send. Whoever owns the data creates it (the composition root
 * or the object holding it) and says how big it may get.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, { value: V; weight: number }>()
  #weight = 0
  // The most recently used key: using it again changes no order, so the map is left as it is (a
  // delete and a set per hit would leave the map a hole to compact each time: allocation on every
  // request of a server that hears the same value again and again).
  #hasNewest = false
  #newest: K | undefined

  constructor(readonly bounds: CacheBounds<V>) {}

  /** How many entries the cache holds. */
  get size(): number {
    return this.#entries.size
  }

  /** The value for `key`, which becomes the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    this.#touch(key, entry)
    return entry.value
  }

  /** Keeps `value` for `key`, evicting the least recently used entries beyond the bounds. */
  set(key: K, value: V): void {
    this.delete(key)
    const weight = this.bounds.weigh?.(value) ?? 0
    if (weight > (this.bounds.maxWeight ?? Infinity)) return
    this.#entries.set(key, { value, weight })
    this.#hasNewest = true
    this.#newest = key
    this.#weight += weight
    this.#evict()
  }

  /** The value for `key`, made by `create` (and kept) when absent. */
  getOrCreate(key: K, create: (key: K) => V): V {
    const entry = this.#entries.get(key)
    if (entry) {
      this.#touch(key, entry)
      return entry.value
    }
    const value = create(key)
    this.set(key, value)
    return value
  }

  /** Forgets `key`; true when it was there. */
  delete(key: K): boolean {
    const entry = this.#entries.get(key)
    if (!entry) return false
    this.#entries.delete(key)
    this.#weight -= entry.weight
    return true
  }

  /** Makes `key` the most recently used (the last in the map's order), unless it already is. */
  #touch(key: K, entry: { value: V; weight: number }): void {
    if (this.#hasNewest && Object.is(this.#newest, key)) return
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    this.#hasNewest = true
    this.#newest = key
  }

  #evict(): void {
    const maxWeight = this.bounds.maxWeight ?? Infinity
    while (this.#entries.size > this.bounds.maxEntries || this.#weight > maxWeight) {
      const oldest = this.#entries.keys().next()
      if (oldest.done) return
      this.delete(oldest.value)
    }
  }
}

/**
 * The bound of every cache the process keeps across requests, in one table: each is a
 * {@link BoundedCache} made with one of these by whoever owns it: the composition root
 * (`buildDeps`, through `createAppCaches`), a logger, or the object holding the data. Everything
 * else held across requests is bounded by what it is keyed by: the catalogue (feeds × locales ×
 * formats), the configured secrets, or an object it is attached to (a WeakMap).
 */
export const CACHE_BOUNDS = {
  /** Problem titles and details by language, code and parameters (the app's; `AppCaches`). */
  problemTexts: { maxEntries: 1000 },
  /** Imported HMAC keys by secret: the configured ones, a few during a rotation (the app's). */
  hmacKeys: { maxEntries: 16 },
  /** A logger's `"level","message"` text by message, per level: messages come from code. */
  logMessages: { maxEntries: 1000 },
  /** A logger's `,"name":` text by field name: names come from code. */
  logFieldNames: { maxEntries: 1000 },
  /**
   * Change-log entries read or written, by key (the change log's, one per FeedService), weighed by
   * their changes: a backfill's entry holds a thousand or more records, and eighty of them held
   * hundreds of megabytes that every full garbage collection walked again. 20,000 changes are far
   * more than the entries a render reads between two checkpoints of a feed hold in practice.
   */
  changeLogEntries: { maxEntries: 10_000, maxWeight: 20_000 },
  /** Which variant each Accept-Encoding value gets, per stored representation. */
  variantChoices: { maxEntries: 64 },
  /** Wall-clock fields by time zone and instant (render/dates.ts: a memo of a pure function). */
  wallClocks: { maxEntries: 20_000 },
} as const satisfies Record<string, CacheBounds<never>>
