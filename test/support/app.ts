import { createApp } from '../../src/http/app.ts'
import { FeedService, type Logger } from '../../src/services/feed-service.ts'
import { storeArticles } from '../../src/services/seed.ts'
import type { ObjectStore } from '../../src/storage/object-store.ts'
import { MemoryObjectStore } from './memory-store.ts'
import { loadCatalog, loadSamples, TEST_SETTINGS } from './samples.ts'

export const silentLogger: Logger = { warn: () => {}, error: () => {} }

/** The real app over a given store, with the real catalogue and test settings. */
export function appOver(store: ObjectStore, logger: Logger = silentLogger) {
  const feeds = new FeedService(store, loadCatalog(), TEST_SETTINGS, logger)
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
