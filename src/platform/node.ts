import { join } from 'node:path'
import { parseFeedCatalog } from '../domain/feed-definition.ts'
import { parseConfig, unknownVariables } from './config.ts'
import { startSeededEmbeddedStore } from './embedded-store.ts'
import { loadOrCreateSecret } from './local-secret.ts'
import { createJsonLogger } from './logger.ts'
import { createBatchedLineSink } from './node-log-sink.ts'
import { serveOnNode } from './node-app.ts'
import { findRoot, readJsonDirectory } from './node-files.ts'

const ROOT = findRoot(import.meta.url)

/**
 * `npm start`, the zero-setup demo: with no S3_ENDPOINT it starts the embedded store (seeded on first
 * start) and a local webhook secret under .data/; from there it serves as `npm run serve` does,
 * maintenance included. `npm run serve` is the production entry.
 */
async function main(): Promise<void> {
  let config = parseConfig(process.env)
  const log = createJsonLogger(config.logLevel, createBatchedLineSink())
  for (const name of unknownVariables(process.env))
    log.warn('unknown variable ignored (typo?)', { variable: name })
  const catalog = parseFeedCatalog(readJsonDirectory(ROOT, config.feedsDir))

  let stopEmbedded = async () => {}
  if (!config.s3.endpoint) {
    const { embedded, seeded, env } = await startSeededEmbeddedStore(ROOT, config.s3.bucket)
    config = parseConfig({ ...process.env, ...env })
    stopEmbedded = () => embedded.stop()
    log.info('embedded S3 store started (set S3_ENDPOINT to use a real one)', {
      endpoint: embedded.endpoint,
      data: '.data/s3',
      seeded,
    })
  }
  if (config.webhook.secrets.length === 0) {
    const path = join(ROOT, '.data', 'webhook-secret')
    const { secret, created } = loadOrCreateSecret(path)
    config = { ...config, webhook: { ...config.webhook, secrets: [secret] } }
    log.info(
      `${created ? 'created a random' : 'using the'} webhook secret in ${path} (set WEBHOOK_SECRETS to choose your own)`,
    )
  }
  if (config.adminSecrets.length === 0) {
    // Like the webhook secret: the partner CLI reads it from here when ADMIN_SECRETS is not set.
    const path = join(ROOT, '.data', 'admin-secret')
    const { secret, created } = loadOrCreateSecret(path)
    config = { ...config, adminSecrets: [secret] }
    log.info(
      `${created ? 'created a random' : 'using the'} admin secret in ${path} (set ADMIN_SECRETS to choose your own)`,
    )
  }

  try {
    await serveOnNode(import.meta.url, config, catalog, log, stopEmbedded)
  } catch (error) {
    await stopEmbedded() // the server never listened: nothing else will stop the store
    throw error
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
