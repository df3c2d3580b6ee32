import { createAppCaches } from '../../src/http/caches.ts'
import { createApp, type AppDeps } from '../../src/http/app.ts'
import { FeedService, type FeedServiceOptions } from '../../src/services/feed-service.ts'
import type { Logger } from '../../src/ports/observability.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { HubNotifier } from '../../src/services/websub.ts'
import { ChangeSignal } from '../../src/services/change-signal.ts'
import type { PublicationSettings } from '../../src/render/feed-model.ts'
import type { ObjectStore } from '../../src/ports/object-store.ts'
import type { FeedCatalog } from '../../src/domain/feed-definition.ts'
import { PartnerRegistry } from '../../src/services/partner-registry.ts'
import { MemoryObjectStore } from './memory-store.ts'
import { loadCatalog, loadSamples, TEST_SETTINGS } from './samples.ts'

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} }

/** A feed service over a given store, with the real catalogue and test settings. */
export function serviceOver(
  store: ObjectStore,
  options: Partial<FeedServiceOptions> = {},
  logger = silentLogger,
  catalog: FeedCatalog = loadCatalog(),
  settings: PublicationSettings = TEST_SETTINGS,
) {
  return new FeedService(store, catalog, settings, logger, {
    now: () => Date.now(),
    freshMs: 2000,
    storageTimeoutMs: 1000,
    overlapMs: 300_000,
    tombstoneMs: 30 * 86_400_000,
    newId: () => crypto.randomUUID(),
    // As on Node: this process's appends wake the change cursor's waiters.
    changeSignal: new ChangeSignal(),
    ...options,
  })
}

export const TEST_SECRET = 'test-secret-0123456789abcdef'

/** The real app over a given store, with the real catalogue and test settings. */
export function appOver(
  store: ObjectStore,
  options: Partial<FeedServiceOptions> = {},
  logger: Logger = silentLogger,
  webhook: { secrets?: string[]; hubs?: string[]; maxBytes?: number } = {},
  catalog?: FeedCatalog,
  /** Any other dependency of the app, in place of the test default. */
  extra: Partial<AppDeps> = {},
) {
  const hubs = webhook.hubs ?? []
  const feeds = serviceOver(store, options, logger, catalog, { ...TEST_SETTINGS, hubs })
  return createApp({
    feeds,
    publish: feeds.publishService(),
    hubs: new HubNotifier({ hubs, logger, attempts: 3, backoffMs: 20, timeoutMs: 1000 }),
    webhook: {
      secrets: webhook.secrets ?? ['old-secret-0123456789abcdef', TEST_SECRET],
      maxBytes: webhook.maxBytes ?? 64 * 1024,
    },
    publicBaseUrl: TEST_SETTINGS.publicBaseUrl,
    store,
    logger,
    now: options.now ?? (() => Date.now()),
    newRequestId: () => 'req-test',
    retryAfterSeconds: 7,
    caches: createAppCaches(),
    ...extra,
  })
}

/**
 * The real app over an in-memory store holding the samples; `now` a clock the test moves, `catalog`
 * feeds in place of the real catalogue, `adminSecrets` to create partners through the admin API.
 */
export async function sampleApp(
  options: { now?: () => number; catalog?: FeedCatalog; adminSecrets?: string[] } = {},
) {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  const feedOptions = options.now ? { now: options.now } : {}
  const extra = options.adminSecrets ? { adminSecrets: options.adminSecrets } : {}
  return { store, app: appOver(store, feedOptions, silentLogger, {}, options.catalog, extra) }
}

/**
 * The real app over an in-memory store holding the samples, on a clock the test moves, with a
 * partner registry on that clock (keys made through the admin API with `adminSecrets`).
 */
export async function partnerSampleApp(options: {
  now: () => number
  adminSecrets: string[]
  /** How long the registry trusts what it read of the keys. */
  partnersFreshMs: number
  feeds?: Partial<FeedServiceOptions>
  catalog?: FeedCatalog
}) {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  const partners = new PartnerRegistry(store, {
    now: options.now,
    freshMs: options.partnersFreshMs,
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
  })
  const feeds = { ...options.feeds, now: options.now }
  const extra = { partners, adminSecrets: options.adminSecrets }
  return { store, app: appOver(store, feeds, silentLogger, {}, options.catalog, extra) }
}
