import type { Logger } from '../ports/observability.ts'

export interface HubNotifierOptions {
  hubs: readonly string[]
  logger: Logger
  /** Attempts per hub and feed URL (first try included). */
  attempts: number
  /** Wait before the n-th retry: backoffMs × 2^(n-1). */
  backoffMs: number
  timeoutMs: number
}

/**
 * Tells WebSub hubs that feeds changed (`hub.mode=publish`), with retries. Never throws: a hub that is
 * down must not fail a republish that already succeeded; failures are logged.
 */
export class HubNotifier {
  constructor(private readonly options: HubNotifierOptions) {}

  get enabled(): boolean {
    return this.options.hubs.length > 0
  }

  async notify(feedUrls: readonly string[]): Promise<void> {
    await Promise.all(this.options.hubs.flatMap((hub) => feedUrls.map((url) => this.#publish(hub, url))))
  }

  async #publish(hub: string, url: string): Promise<void> {
    const body = new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': url })
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      try {
        const res = await fetch(hub, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        })
        await res.body?.cancel()
        if (res.ok) return
        if (res.status < 500 && res.status !== 429) {
          this.options.logger.warn('hub refused a publish ping', { hub, url, status: res.status })
          return
        }
      } catch {
        // network error or timeout: retried below
      }
      if (attempt < this.options.attempts) await sleep(this.options.backoffMs * 2 ** (attempt - 1))
    }
    this.options.logger.warn('hub did not accept a publish ping after retries', { hub, url })
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
