/** Runs one task per key at a time; callers that arrive while it runs share its result. */
export class SingleFlight<T> {
  readonly #running = new Map<string, Promise<T>>()

  run(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key)
    if (running) return running
    const promise = task().finally(() => this.#running.delete(key))
    this.#running.set(key, promise)
    return promise
  }
}

/** Rejects with `onTimeout()` when the promise has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Runs one task per key at a time. A caller arriving while a run is under way joins the next run,
 * which starts when the current one ends: so everything written before a caller arrived is covered
 * by the run it awaits, and a storm of N callers costs at most two runs at a time, not N.
 */
export class Coalescer<T> {
  readonly #running = new Map<string, Promise<void>>()
  readonly #queued = new Map<string, Promise<T>>()

  run(key: string, task: () => Promise<T>): Promise<T> {
    const queued = this.#queued.get(key)
    if (queued) return queued
    const start = (): Promise<T> => {
      this.#queued.delete(key)
      const result = task()
      const settled = result.then(
        () => undefined,
        () => undefined,
      )
      this.#running.set(key, settled)
      void settled.then(() => {
        if (this.#running.get(key) === settled) this.#running.delete(key)
      })
      return result
    }
    const running = this.#running.get(key)
    if (!running) return start()
    const next = running.then(start)
    this.#queued.set(key, next)
    return next
  }
}

/**
 * Maps with at most `limit` tasks in flight, keeping the order of the input. When a task fails, no
 * further task starts, and the failure is thrown once the tasks under way have finished (as
 * `allSettled`: nothing started is still running when the caller hears of it).
 */
export async function mapWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async () => {
    while (next < items.length && !failure) {
      const index = next++
      try {
        results[index] = await task(items[index]!)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failure) throw failure.error
  return results
}

/**
 * Like Promise.all, but when one fails it still waits for the others to finish before failing: an
 * error answer then means nothing this request started is still writing (a retry cannot race it).
 */
export async function allSettled<T extends readonly unknown[]>(
  promises: readonly [...{ [K in keyof T]: Promise<T[K]> | T[K] }],
): Promise<T> {
  const results = await Promise.allSettled(promises as readonly unknown[])
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T
}
