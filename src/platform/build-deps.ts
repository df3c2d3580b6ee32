import type { KeepAlive } from '../ports/background.ts'
import { requestIdsFrom } from '../http/request-log.ts'
import { createAppCaches } from '../http/caches.ts'
import type { FeedCatalog } from '../domain/feed-definition.ts'
import type { AppDeps } from '../http/app.ts'
import type { PrometheusTelemetry } from '../http/prometheus.ts'
import { FeedService } from '../services/feed-service.ts'
import type { Logger } from '../ports/observability.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import { HubNotifier } from '../services/websub.ts'
import { instrumentStore } from '../storage/instrumented-object-store.ts'
import { LimitedObjectStore, StorageLimiter } from '../storage/limited-object-store.ts'
import { S3ObjectStore, type S3Settings } from '../storage/s3-object-store.ts'
import { EdgeCachedObjectStore, type EdgeCache } from '../storage/edge-cached-object-store.ts'
import { KEYS } from '../services/storage-keys.ts'
import { keyIndexStaleMs, PartnerRegistry } from '../services/partner-registry.ts'
import type { ChangeSignal } from '../services/change-signal.ts'
import type { Config } from './config.ts'
import { createJsonLogger } from './logger.ts'

/**
 * Storage requests in flight at once across the process, unless STORAGE_CONCURRENCY says otherwise
 * (the embedded store sets it lower). Node: fewer than the sockets of the storage thread's HTTP
 * agent (node-s3-handler.ts), so no request waits for a socket once the SDK has started its
 * connection timeout. Workers: the runtime's simultaneous connections per invocation; more fetches
 * would wait inside the runtime, just as long, with their timeout running.
 */
const NODE_STORAGE_CONCURRENCY = 48
const FETCH_STORAGE_CONCURRENCY = 6

/** What an entry brings beyond configuration: what only its platform has. */
export interface PlatformParts {
  /** Node: storage is timed and /metrics is served. */
  telemetry?: PrometheusTelemetry
  /** Workers: the data centre's Cache API, a tier between the isolate's memory and storage. */
  edgeCache?: EdgeCache
  /** The entry's logger (Node batches its lines); JSON lines on the console by default. */
  logger?: Logger
  /**
   * Node: the S3 store in a thread of its own (threaded-object-store.ts), where the SDK sends with
   * node:http; the Worker calls the SDK in its isolate, with fetch().
   */
  s3Thread?: ObjectStore
  /** Node: wakes change-cursor waiters when this process appends (workerd polls instead). */
  changeSignal?: ChangeSignal
  /**
   * Workers: the bucket through a native binding (R2's `FEEDS_BUCKET`) instead of the S3 API, and a
   * name for it that keeps its copies apart in the shared Cache API.
   */
  bucket?: { store: ObjectStore; name: string }
  /** Workers: hands work no request waits for to the running request's `ctx.waitUntil`. */
  keepAlive?: KeepAlive
}

/** How to reach the bucket through the S3 API, with the configured credentials. */
export function s3Settings(config: Config): Omit<S3Settings, 'requestHandler'> {
  const { endpoint, region, bucket, accessKeyId, secretAccessKey, forcePathStyle, timeoutMs } = config.s3
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      'Invalid configuration:\n  S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set for the store',
    )
  }
  return {
    ...(endpoint ? { endpoint } : {}),
    region,
    bucket,
    accessKeyId,
    secretAccessKey,
    forcePathStyle,
    timeoutMs,
  }
}

/** The app's dependencies and what the platform entries use beside the app. */
export interface PlatformDeps extends AppDeps {
  /**
   * The store maintenance works through (the Node timer, the Worker's Cron handler): a view whose
   * requests wait behind every reader's and webhook's (`background`), so its scans never hold up an
   * answer.
   */
  maintenanceStore: ObjectStore
}

/** Wires the app's dependencies from validated configuration; shared by both entries. */
export function buildDeps(
  config: Config,
  catalog: FeedCatalog,
  {
    telemetry,
    edgeCache,
    logger = createJsonLogger(config.logLevel),
    s3Thread,
    changeSignal,
    bucket,
    keepAlive,
  }: PlatformParts = {},
): PlatformDeps {
  const base = bucket?.store ?? s3Thread ?? new S3ObjectStore(s3Settings(config))
  const timed = telemetry ? instrumentStore(base, telemetry, Date.now) : base
  const slots = config.s3.concurrency ?? (s3Thread ? NODE_STORAGE_CONCURRENCY : FETCH_STORAGE_CONCURRENCY)
  const limited = new LimitedObjectStore(
    timed,
    s3Thread
      ? new StorageLimiter(slots)
      : // Both attempts of the SDK and then some: only a slot whose request can no longer answer.
        new StorageLimiter(slots, { leaseMs: 3 * config.s3.timeoutMs, now: Date.now }),
  )
  const store = edgeCache
    ? new EdgeCachedObjectStore(limited, edgeCache, {
        ttlSeconds: Math.max(1, Math.ceil(config.hotCacheMs / 1000)),
        prefixes: [KEYS.renderedAll],
        namespace: bucket?.name ?? `${config.s3.endpoint ?? `aws:${config.s3.region}`}/${config.s3.bucket}`,
      })
    : limited
  const settings = {
    publicBaseUrl: config.publicBaseUrl,
    idAuthority: config.idAuthority,
    hubs: config.websubHubs,
  }
  const feeds = new FeedService(store, catalog, settings, logger, {
    now: Date.now,
    freshMs: config.hotCacheMs,
    storageTimeoutMs: config.s3.timeoutMs,
    overlapMs: config.overlapMs,
    changeLogMs: config.changeLogMs,
    tombstoneMs: config.tombstoneMs,
    newId: () => crypto.randomUUID(),
    telemetry,
    requestStore: () => limited.withPriority('bulk'),
    changeSignal,
    keepAlive,
  })
  return {
    store,
    maintenanceStore: limited.withPriority('background'),
    logger,
    caches: createAppCaches(),
    feeds,
    publish: feeds.publishService(),
    hubs: new HubNotifier({ hubs: config.websubHubs, logger, attempts: 4, backoffMs: 500, timeoutMs: 5000 }),
    webhook: config.webhook,
    // The key index is read past the edge cache (only rendered feeds go there), so a revocation
    // reaches every isolate within HOT_CACHE_MS.
    partners: new PartnerRegistry(store, {
      now: Date.now,
      freshMs: config.hotCacheMs,
      randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
      staleIfErrorMs: keyIndexStaleMs(feeds.feeds),
      logger,
      keepAlive,
    }),
    adminSecrets: config.adminSecrets,
    readyCacheMs: config.readyCacheMs,
    publicBaseUrl: config.publicBaseUrl,
    now: Date.now,
    newRequestId: requestIdsFrom(crypto.randomUUID().replace(/-/g, '').slice(0, 12)),
    retryAfterSeconds: config.retryAfterSeconds,
    telemetry,
    metrics: telemetry ? { render: () => telemetry.render(), token: config.metricsToken } : undefined,
  }
}
