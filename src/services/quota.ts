import type { Clock } from '../ports/observability.ts'

/** Where a key stands in its current minute. */
export interface QuotaState {
  allowed: boolean
  limit: number
  remaining: number
  /** Seconds until the window ends and the count starts again. */
  resetSeconds: number
}

const WINDOW_MS = 60_000
// Counters of keys idle for a whole window are dropped once this many are held.
const PRUNE_AT = 10_000

/**
 * Requests per minute per key, in fixed windows aligned to the minute, counted in this process (one
 * Node instance, one Worker isolate): a request is allowed while its key's count in the window is
 * below the limit. Only keys that authenticated are counted, so the table is bounded by the keys issued.
 */
export class QuotaCounter {
  readonly #windows = new Map<string, { start: number; count: number }>()

  constructor(private readonly now: Clock) {}

  /** Counts a request of `key` against `limit`, and says whether it may be answered. */
  take(key: string, limit: number): QuotaState {
    const now = this.now()
    const start = now - (now % WINDOW_MS)
    let window = this.#windows.get(key)
    if (!window || window.start !== start) {
      if (this.#windows.size >= PRUNE_AT) this.#prune(start)
      this.#windows.set(key, (window = { start, count: 0 }))
    }
    const resetSeconds = Math.max(1, Math.ceil((start + WINDOW_MS - now) / 1000))
    if (window.count >= limit) return { allowed: false, limit, remaining: 0, resetSeconds }
    window.count++
    return { allowed: true, limit, remaining: limit - window.count, resetSeconds }
  }

  #prune(current: number): void {
    for (const [key, window] of this.#windows) if (window.start !== current) this.#windows.delete(key)
  }
}
