import { serve } from '@hono/node-server'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseFeedCatalog } from '../domain/feed-definition.ts'
import { createApp } from '../http/app.ts'
import { buildDeps } from './build-deps.ts'
import { parseConfig } from './config.ts'
import { startSeededEmbeddedStore } from './embedded-store.ts'
import { createJsonLogger } from './logger.ts'
import { readJsonDirectory } from './node-files.ts'
import { loadOrCreateSecret } from './local-secret.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The Node entry: reads the environment, starts the embedded store when none is configured, serves. */
async function main(): Promise<void> {
  let config = parseConfig(process.env)
  const log = createJsonLogger(config.logLevel)
  const catalog = parseFeedCatalog(readJsonDirectory(ROOT, 'feeds'))

  let stopEmbedded = async () => {}
  if (!config.s3.endpoint) {
    const { embedded, seeded, env } = await startSeededEmbeddedStore(ROOT, config.s3.bucket)
    config = parseConfig({ ...process.env, ...env })
    stopEmbedded = embedded.stop
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

  const app = createApp(buildDeps(config, catalog))
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    log.info('silkfeed listening', {
      url: `http://${config.host}:${info.port}`,
      publicBaseUrl: config.publicBaseUrl,
    })
  })

  const shutdown = (signal: string) => {
    log.info('shutting down', { signal })
    server.close(() => void stopEmbedded().then(() => process.exit(0)))
    setTimeout(() => process.exit(1), 10_000).unref()
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
