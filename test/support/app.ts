import { createApp } from '../../src/http/app.ts'
import { FeedService, type FeedServiceOptions, type Logger } from '../../src/services/feed-service.ts'
import { storeArticles } from '../../src/services/seed.ts'
import type { ObjectStore } from '../../src/storage/object-store.ts'
import { MemoryObjectStore } from './memory-store.ts'
import { loadCatalog, loadSamples, TEST_SETTINGS } from './samples.ts'

export const silentLogger: Logger = { warn: () => {}, error: () => {} }

/** A feed service over a given store, with the real catalogue and test settings. */
export function serviceOver(
  store: ObjectStore,
  options: Partial<FeedServiceOptions> = {},
  logger = silentLogger,
) {
  return new FeedService(store, loadCatalog(), TEST_SETTINGS, logger, {
    now: () => Date.now(),
    freshMs: 2000,
    storageTimeoutMs: 1000,
    ...options,
  })
}

/** The real app over a given store, with the real catalogue and test settings. */
export function appOver(
  store: ObjectStore,
  options: Partial<FeedServiceOptions> = {},
  logger: Logger = silentLogger,
) {
  const feeds = serviceOver(store, options, logger)
  return createApp({
    feeds,
    store,
    logger,
    now: () => Date.now(),
    newRequestId: () => 'req-test',
    retryAfterSeconds: 7,
  })
}

/** The real app over an in-memory store holding the samples. */
export async function sampleApp() {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  return { store, app: appOver(store) }
}
