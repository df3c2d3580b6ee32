import type { AppDeps } from '../http/app.ts'
import type { PlatformDeps } from './build-deps.ts'
import { runMaintenance } from '../services/maintenance.ts'
import { announceReleases } from '../services/releases.ts'

/**
 * Runs `work` every `intervalMs` on a timer that never keeps the process alive; a run still going
 * when the next is due makes that one skip, and a run that fails is reported to `failed` and tried
 * again at the next interval.
 */
export function repeat(
  intervalMs: number,
  work: () => Promise<void>,
  failed: (error: unknown) => void,
): { stop(): void } {
  let running = false
  const tick = async () => {
    if (running) return
    running = true
    try {
      await work()
    } catch (error) {
      failed(error)
    } finally {
      running = false
    }
  }
  const timer = setInterval(() => void tick(), intervalMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}

/** Runs maintenance on Node every `intervalMs` (Workers use a Cron Trigger instead); never overlapping. */
export function startMaintenance(
  deps: PlatformDeps,
  intervalMs: number,
  retention: { idempotencyMs: number; changeLogMs: number },
): { stop(): void } {
  return repeat(
    intervalMs,
    async () => {
      const report = await runMaintenance(deps.maintenanceStore, deps.feeds, {
        now: deps.now(),
        ...retention,
      })
      deps.logger.info('maintenance done', { ...report })
    },
    (error) => deps.logger.warn('maintenance failed; will retry next interval', { reason: String(error) }),
  )
}

/** How often Node looks for stories released from embargo, to tell WebSub hubs. */
const RELEASE_CHECK_MS = 20_000

/**
 * Announces releases from embargo on Node every RELEASE_CHECK_MS (Workers: a Cron Trigger every
 * minute), so hubs hear of a released story within that interval and no webhook is needed.
 */
export function startReleaseAnnouncements(deps: AppDeps, intervalMs = RELEASE_CHECK_MS): { stop(): void } {
  return repeat(
    intervalMs,
    async () => {
      if (!deps.hubs.enabled) return
      const urls = await announceReleases(deps.feeds, deps.hubs, deps.now(), 2 * intervalMs)
      if (urls.length > 0) deps.logger.info('released from embargo; hubs told', { feeds: urls.length })
    },
    (error) => deps.logger.warn('release check failed; will retry next interval', { reason: String(error) }),
  )
}
