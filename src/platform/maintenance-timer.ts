import type { AppDeps } from '../http/app.ts'
import { runMaintenance } from '../services/maintenance.ts'

/** Runs maintenance on Node every `intervalMs` (Workers use a Cron Trigger instead); never overlapping. */
export function startMaintenance(
  deps: AppDeps,
  intervalMs: number,
  retention: { idempotencyMs: number; changeLogMs: number },
): { stop(): void } {
  let running = false
  const tick = async () => {
    if (running) return
    running = true
    try {
      const report = await runMaintenance(deps.store, deps.feeds, { now: deps.now(), ...retention })
      deps.logger.info('maintenance done', { ...report })
    } catch (error) {
      deps.logger.warn('maintenance failed; will retry next interval', { reason: String(error) })
    } finally {
      running = false
    }
  }
  const timer = setInterval(() => void tick(), intervalMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
