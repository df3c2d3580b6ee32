import type { Server } from 'node:http'
import type { FeedCatalog } from '../domain/feed-definition.ts'
import { createApp } from '../http/app.ts'
import { PrometheusTelemetry } from '../http/prometheus.ts'
import type { Logger } from '../ports/observability.ts'
import { ChangeSignal } from '../services/change-signal.ts'
import { buildDeps, s3Settings } from './build-deps.ts'
import type { Config } from './config.ts'
import { startMaintenance, startReleaseAnnouncements } from './maintenance-timer.ts'
import { startNodeServer } from './node-server.ts'
import { threadedS3Store } from './threaded-object-store.ts'

/**
 * What both Node entries run once their configuration is settled (`npm run serve` from the
 * environment; `npm start` after its embedded store and local secrets): the store in its thread,
 * the app with Prometheus metrics, maintenance every MAINTENANCE_INTERVAL_MS, release announcements,
 * and the server with its graceful shutdown. `entryUrl` is the entry's `import.meta.url` (the storage
 * thread's module is beside it); `onClosed` stops what the entry started itself, after the rest.
 */
export function serveOnNode(
  entryUrl: string,
  config: Config,
  catalog: FeedCatalog,
  log: Logger,
  onClosed: () => Promise<void> = async () => {},
): Promise<Server> {
  const storage = threadedS3Store(entryUrl, s3Settings(config))
  const deps = buildDeps(config, catalog, {
    telemetry: new PrometheusTelemetry(),
    logger: log,
    s3Thread: storage,
    changeSignal: new ChangeSignal(),
  })
  const maintenance = startMaintenance(deps, config.maintenanceIntervalMs, {
    idempotencyMs: config.idempotencyMs,
    changeLogMs: config.changeLogMs,
  })
  const releases = startReleaseAnnouncements(deps)
  const app = createApp(deps)
  return startNodeServer({
    fetch: app.fetch,
    front: app.front,
    host: config.host,
    port: config.port,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    limits: config.http,
    log,
    onClosed: async () => {
      maintenance.stop()
      releases.stop()
      await storage.close()
      await onClosed()
    },
  })
}
