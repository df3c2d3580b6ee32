import { parseFeedCatalog } from '../domain/feed-definition.ts'
import { parseConfig, requireProductionSettings, unknownVariables } from './config.ts'
import { createJsonLogger } from './logger.ts'
import { createBatchedLineSink } from './node-log-sink.ts'
import { serveOnNode } from './node-app.ts'
import { findRoot, readJsonDirectory } from './node-files.ts'

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
  let catalog
  try {
    catalog = parseFeedCatalog(readJsonDirectory(ROOT, config.feedsDir))
  } catch (error) {
    // Missing, unreadable or invalid feed definitions: restarting will not fix them either.
    console.error(`Invalid configuration:\n  FEEDS_DIR (${config.feedsDir}): ${(error as Error).message}`)
    process.exit(78) // EX_CONFIG
  }
  await serveOnNode(import.meta.url, config, catalog, log)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
