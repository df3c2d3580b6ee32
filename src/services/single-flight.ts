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
