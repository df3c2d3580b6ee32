import {
  PreconditionFailedError,
  type Bytes,
  type ObjectMeta,
  type ObjectStore,
  type PutCondition,
  type StoredObject,
} from '../../src/ports/object-store.ts'

/**
 * A store decorator that keeps to `If-Match` / `If-None-Match: *` on PUT as AWS S3 and R2 do, over a
 * store that ignores them (s3rver): the check and the write of a key are one step in this process.
 * With `honour` false it ignores them like s3rver, to show what a stale writer does then.
 */
export class ConditionalStore implements ObjectStore {
  honour = true
  /** Called after every write that reached the store, in the order they did. */
  onWrite?: (key: string, body: Bytes) => void
  /** Writes refused because their condition did not hold. */
  refused = 0
  readonly #tails = new Map<string, Promise<unknown>>()

  constructor(private readonly inner: ObjectStore) {}

  put(key: string, body: Bytes, meta: ObjectMeta, condition?: PutCondition): Promise<{ etag: string }> {
    const run = async () => {
      if (condition && this.honour) {
        const current = await this.inner.get(key)
        const holds = 'ifMatch' in condition ? current?.etag === condition.ifMatch : current === null
        if (!holds) this.refused++
        if (!holds) throw new PreconditionFailedError(`storage put ${key}: precondition failed`)
      }
      const result = await this.inner.put(key, body, meta)
      this.onWrite?.(key, body)
      return result
    }
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const done = previous.then(run, run)
    const tail = done.catch(() => undefined)
    this.#tails.set(key, tail)
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return done
  }

  get(key: string): Promise<StoredObject | null> {
    return this.inner.get(key)
  }

  getIfChanged(key: string, etag: string): Promise<StoredObject | null | 'unchanged'> {
    return this.inner.getIfChanged(key, etag)
  }

  list(prefix: string, options?: { startAfter?: string }): Promise<string[]> {
    return this.inner.list(prefix, options)
  }

  delete(keys: readonly string[]): Promise<void> {
    return this.inner.delete(keys)
  }

  ping(): Promise<void> {
    return this.inner.ping()
  }
}

/**
 * A view of a store that holds its first write of `key` (or of the first key `key` accepts) until
 * `release()`: a writer paused mid-publish.
 */
export function holdingFirstWriteOf(inner: ObjectStore, key: string | ((key: string) => boolean)) {
  const holds = typeof key === 'string' ? (k: string) => k === key : key
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let reached!: () => void
  const held = new Promise<void>((resolve) => (reached = resolve))
  let first = true
  const store: ObjectStore = {
    get: (k) => inner.get(k),
    getIfChanged: (k, e) => inner.getIfChanged(k, e),
    put: async (k, body, meta, condition) => {
      if (first && holds(k)) {
        first = false
        reached()
        await released
      }
      return inner.put(k, body, meta, condition)
    },
    list: (p, o) => inner.list(p, o),
    delete: (keys) => inner.delete(keys),
    ping: () => inner.ping(),
  }
  return { store, held, release }
}
