import type { Logger } from '../ports/observability.ts'

/** More damaged keys than a bucket's derived objects: past it, the oldest are forgotten (and may warn again). */
const REMEMBERED_KEYS = 10_000

/**
 * Warns once per derived key that could not be used and is rebuilt, however many requests meet it
 * before the rebuilt copy is read back; a key that reads well again is forgotten, so a later damage
 * of it warns again.
 */
export class DamageLog {
  readonly #reported = new Set<string>()

  constructor(private readonly logger: Logger) {}

  /** Logs the damage of `key` unless it is already reported. */
  report(key: string, message: string, reason?: string): void {
    if (this.#reported.has(key)) return
    this.#reported.add(key)
    if (this.#reported.size > REMEMBERED_KEYS) this.#reported.delete(this.#reported.values().next().value!)
    this.logger.warn(message, { key, ...(reason !== undefined && { reason }) })
  }

  /** `key` was read and decoded as it should be. */
  healthy(key: string): void {
    this.#reported.delete(key)
  }
}
