import type { Bytes, ObjectMeta, ObjectStore, PutCondition, StoredObject } from '../ports/object-store.ts'

/** How long a slot may be held before a newcomer may take it back, and the clock to tell. */
export interface SlotLease {
  leaseMs: number
  now: () => number
}

/**
 * Who waits for a slot: `reader` (a feed, a page, a probe: someone is waiting on the answer, and each
 * needs a few requests), `bulk` (a webhook's hundreds of lookups and writes: an editor is waiting) or
 * `background` (maintenance, which may read every stored record: nobody is waiting on it).
 */
export type SlotPriority = 'reader' | 'bulk' | 'background'

/** The order in which a freed slot goes to the waiters: the first kind that has any. */
const PRIORITIES: readonly SlotPriority[] = ['reader', 'bulk', 'background']

/** Tasks waiting for a slot in arrival order, consumed from the front without shifting the array. */
class WaitQueue {
  #waiting: Array<() => void> = []
  #head = 0

  get length(): number {
    return this.#waiting.length - this.#head
  }

  push(wake: () => void): void {
    this.#waiting.push(wake)
  }

  /** The oldest waiter, removed from the queue (the queue must not be empty). */
  shift(): () => void {
    const next = this.#waiting[this.#head++]!
    // Drop the consumed front now and then rather than shifting the array on every release.
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head)
      this.#head = 0
    }
    return next
  }
}

/**
 * At most `limit` tasks at once; the others wait. Any task may take any free slot, so a webhook
 * alone uses them all; a finishing task hands its slot straight to the oldest waiting reader, or,
 * when no reader waits, to the oldest waiting bulk task, and only when neither waits to the oldest
 * background task. So a reader waits at most for the first slot to free up, never behind a batch's
 * queue; a webhook never waits behind maintenance's scan; and a newcomer never overtakes a waiter
 * of its kind.
 *
 * With a lease, a slot held longer than `leaseMs` is taken back when the next task arrives: on
 * Workers, a request cancelled mid-fetch (its client gone) never runs its continuations, so its
 * slot would otherwise stay taken for the life of the isolate.
 */
export class StorageLimiter {
  #active = 0
  readonly #waiting: Record<SlotPriority, WaitQueue> = {
    reader: new WaitQueue(),
    bulk: new WaitQueue(),
    background: new WaitQueue(),
  }
  readonly #held = new Map<object, number>()

  constructor(
    readonly limit: number,
    private readonly lease?: SlotLease,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`a limit of ${limit} slots is not a count`)
  }

  /** Tasks holding a slot now. */
  get active(): number {
    return this.#active
  }

  /** Tasks waiting for a slot now. */
  get queued(): number {
    return PRIORITIES.reduce((sum, priority) => sum + this.#waiting[priority].length, 0)
  }

  /** Runs `task` once a slot is free; the slot is released when its promise settles, however it settles. */
  async run<T>(task: () => Promise<T>, priority: SlotPriority = 'reader'): Promise<T> {
    this.#takeBackExpired()
    if (this.#active < this.limit) this.#active++
    else await new Promise<void>((resolve) => this.#waiting[priority].push(resolve))
    const slot = {}
    if (this.lease) this.#held.set(slot, this.lease.now())
    try {
      return await task()
    } finally {
      // A slot taken back by the lease was released then; releasing it again would lift the limit.
      if (!this.lease || this.#held.delete(slot)) this.#release()
    }
  }

  #takeBackExpired(): void {
    if (!this.lease || this.#active < this.limit) return
    const expiredBefore = this.lease.now() - this.lease.leaseMs
    // In order of acquisition: the oldest first, so the first unexpired one ends the search.
    for (const [slot, since] of this.#held) {
      if (since > expiredBefore) break
      this.#held.delete(slot)
      this.#release()
    }
  }

  #release(): void {
    const priority = PRIORITIES.find((kind) => this.#waiting[kind].length > 0)
    if (priority) this.#waiting[priority].shift()()
    else this.#active--
  }
}

/**
 * An ObjectStore whose requests wait for a slot of every limiter it holds, narrowest first: the
 * process's, and with `scope()` one request's as well. A request is handed to the store (and its
 * SDK, whose connection and request timeouts start only then) once it holds its slots, so waiting
 * here is never mistaken for an unreachable store, and the HTTP agent never has more requests
 * than sockets. A call holds its slots only while its own storage request runs, so calls made
 * from the results of others cannot deadlock.
 */
export class LimitedObjectStore implements ObjectStore {
  readonly #inner: ObjectStore
  readonly #limiters: readonly StorageLimiter[]
  readonly #priority: SlotPriority

  constructor(
    inner: ObjectStore,
    limiter: StorageLimiter | readonly StorageLimiter[],
    priority: SlotPriority = 'reader',
  ) {
    this.#inner = inner
    this.#limiters = Array.isArray(limiter) ? limiter : [limiter as StorageLimiter]
    this.#priority = priority
  }

  /** A view of this store that also lets at most `limit` of its own requests run at once. */
  scope(limit: number): LimitedObjectStore {
    return new LimitedObjectStore(this.#inner, [new StorageLimiter(limit), ...this.#limiters], this.#priority)
  }

  /**
   * A view of this store whose requests wait with `priority`: a webhook's are `bulk`, so they take
   * every free slot, and a reader that arrives meanwhile gets the next one that frees up;
   * maintenance's are `background`, which get a slot only when nobody else waits for one.
   */
  withPriority(priority: SlotPriority): LimitedObjectStore {
    return new LimitedObjectStore(this.#inner, this.#limiters, priority)
  }

  #run<T>(task: () => Promise<T>): Promise<T> {
    // Always the same order (request, then process): a process slot is only ever held by a running request.
    return this.#limiters.reduceRight<() => Promise<T>>(
      (inner, limiter) => () => limiter.run(inner, this.#priority),
      task,
    )()
  }

  get(key: string): Promise<StoredObject | null> {
    return this.#run(() => this.#inner.get(key))
  }

  getIfChanged(key: string, etag: string): Promise<StoredObject | null | 'unchanged'> {
    return this.#run(() => this.#inner.getIfChanged(key, etag))
  }

  put(key: string, body: Bytes, meta: ObjectMeta, condition?: PutCondition): Promise<{ etag: string }> {
    return this.#run(() => this.#inner.put(key, body, meta, condition))
  }

  list(prefix: string, options?: { startAfter?: string }): Promise<string[]> {
    return this.#run(() => this.#inner.list(prefix, options))
  }

  delete(keys: readonly string[]): Promise<void> {
    return this.#run(() => this.#inner.delete(keys))
  }

  ping(): Promise<void> {
    return this.#run(() => this.#inner.ping())
  }
}
