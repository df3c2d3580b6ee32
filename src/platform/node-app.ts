import type { Server } from 'node:http'
import type { FeedCatalog } from '../domain/feed-definition.ts'
import { createApp } from '../http/app.ts'
import { PrometheusTelemetry } from '../http/prometheus.ts'
import type { Logger } from '../ports/observability.ts'
import { ChangeSignal } from '../services/change-signal.ts'
import { buildDeps, s3Settings } from './build-deps.ts'
import { withBoundPort, type Config } from './config.ts'
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
  // Built once the server is bound: with PORT=0 the default PUBLIC_BASE_URL names the port chosen.
  let stop = async () => {}
  return startNodeServer({
    app: (port) => {
      const bound = withBoundPort(config, port)
      const storage = threadedS3Store(entryUrl, s3Settings(bound))
      const deps = buildDeps(bound, catalog, {
        telemetry: new PrometheusTelemetry(),
        logger: log,
        s3Thread: storage,
        changeSignal: new ChangeSignal(),
      })
      const maintenance = startMaintenance(deps, bound.maintenanceIntervalMs, {
        idempotencyMs: bound.idempotencyMs,
        changeLogMs: bound.changeLogMs,
      })
      const releases = startReleaseAnnouncements(deps)
      stop = async () => {
        maintenance.stop()
        releases.stop()
        await storage.close()
      }
      return createApp(deps)
    },
    host: config.host,
    port: config.port,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    limits: config.http,
    log,
    onClosed: async () => {
      await stop()
      await onClosed()
    },
  })
}
