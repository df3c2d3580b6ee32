import { ChangeSignal } from '../services/change-signal.ts'
import { parseFeedCatalog } from '../domain/feed-definition.ts'
import { createApp } from '../http/app.ts'
import { PrometheusTelemetry } from '../http/prometheus.ts'
import { buildDeps, s3Settings } from './build-deps.ts'
import { parseConfig, requireProductionSettings, unknownVariables } from './config.ts'
import { createJsonLogger } from './logger.ts'
import { createBatchedLineSink } from './node-log-sink.ts'
import { startMaintenance, startReleaseAnnouncements } from './maintenance-timer.ts'
import { findRoot, readJsonDirectory } from './node-files.ts'
import { startNodeServer } from './node-server.ts'
import { threadedS3Store } from './threaded-object-store.ts'

const ROOT = findRoot(import.meta.url)

/**
 * `npm run serve`, the production Node entry: a real S3 store from the environment (nothing embedded),
 * Prometheus metrics, graceful shutdown. Refuses to start, naming every variable to fix, when the
 * configuration is incomplete or invalid.
 */
async function main(): Promise<void> {
  let config
  try {
    config = requireProductionSettings(parseConfig(process.env))
  } catch (error) {
    console.error((error as Error).message)
    process.exit(78) // EX_CONFIG
  }
  const log = createJsonLogger(config.logLevel, createBatchedLineSink())
  for (const name of unknownVariables(process.env)) {
    log.warn('unknown variable ignored (typo?)', { variable: name })
  }
  const catalog = parseFeedCatalog(readJsonDirectory(ROOT, config.feedsDir))
  const telemetry = new PrometheusTelemetry()
  const storage = threadedS3Store(import.meta.url, s3Settings(config))
  const deps = buildDeps(config, catalog, {
    telemetry,
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
  await startNodeServer({
    fetch: app.fetch,
    front: app.front,
    host: config.host,
    port: config.port,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    limits: config.http,
    log,
    onClosed: () => {
      maintenance.stop()
      releases.stop()
      return storage.close()
    },
  })
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
