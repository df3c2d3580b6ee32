import { z } from 'zod'
import { issueLines } from '../domain/problem.ts'
import { READY_CACHE_MS } from '../http/routes/health.ts'
import { WEBHOOK_LIMITS } from '../http/routes/webhook.ts'
import { leastChangeLogMs } from '../services/timing.ts'

const bool = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1')

/** Every environment variable Silkfeed reads, validated once at the entry. */
/** Comma-separated HMAC secrets (any one may match, so they rotate), each at least 16 characters. */
const secretList = () =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().min(16, 'each secret must have at least 16 characters')))
    .optional()

/**
 * The default largest webhook body: room for the documented maximum of 1000 records at up to 8 KiB
 * each (the sample stories are 1.8–5.1 KB as JSON).
 */
export const WEBHOOK_MAX_BYTES_DEFAULT = 8 * 1024 * 1024

export const RawEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_BASE_URL: z
    .url({
      protocol: /^https?$/,
      error: 'must be an absolute http(s) URL such as https://feeds.example.com',
    })
    .optional(),
  FEED_ID_AUTHORITY: z
    .string()
    .regex(
      /^[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?$/,
      'must be an RFC 4151 tagging entity such as example.com,2026',
    )
    .default('silkfeed.dev,2026'),
  S3_ENDPOINT: z.url({ error: 'must be a URL such as http://127.0.0.1:9000' }).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid bucket name')
    .default('silkfeed'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.optional(),
  STORAGE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  STORAGE_CONCURRENCY: z.coerce.number().int().min(1).max(1024).optional(),
  HOT_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(2000),
  CHANGE_LOG_OVERLAP_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
  TOMBSTONE_DAYS: z.coerce.number().min(0).max(3650).default(30),
  WEBHOOK_SECRETS: secretList(),
  ADMIN_SECRETS: secretList(),
  WEBSUB_HUBS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/, error: 'each hub must be an absolute http(s) URL' })))
    .optional(),
  WEBHOOK_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(WEBHOOK_MAX_BYTES_DEFAULT),
  WEBHOOK_CONCURRENT_BODIES: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(WEBHOOK_LIMITS.maxConcurrentBodies),
  WEBHOOK_BODY_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(300_000)
    .default(WEBHOOK_LIMITS.bodyTimeoutMs),
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  HEADERS_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(16 * 1024),
  READY_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(READY_CACHE_MS),
  RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  METRICS_TOKEN: z.string().min(16, 'must have at least 16 characters').optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(300_000).default(10_000),
  MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(60_000).max(86_400_000).default(900_000),
  IDEMPOTENCY_TTL_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 90)
    .default(24),
  CHANGE_LOG_RETENTION_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 365)
    .default(24 * 7),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Node only: the directory of feed definitions, absolute or relative to the project root. */
  FEEDS_DIR: z.string().min(1).default('feeds'),
})

export type Config = ReturnType<typeof toConfig>

function toConfig(env: z.infer<typeof RawEnvSchema>, raw: Record<string, unknown>) {
  return {
    port: env.PORT,
    host: env.HOST,
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? localBaseUrl(env.PORT)).replace(/\/+$/, ''),
    idAuthority: env.FEED_ID_AUTHORITY,
    s3: {
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE ?? env.S3_ENDPOINT !== undefined,
      timeoutMs: env.STORAGE_TIMEOUT_MS,
      concurrency: env.STORAGE_CONCURRENCY,
    },
    hotCacheMs: env.HOT_CACHE_MS,
    overlapMs: env.CHANGE_LOG_OVERLAP_MS,
    tombstoneMs: env.TOMBSTONE_DAYS * 86_400_000,
    websubHubs: env.WEBSUB_HUBS ?? [],
    webhook: {
      secrets: env.WEBHOOK_SECRETS ?? [],
      maxBytes: env.WEBHOOK_MAX_BYTES,
      maxConcurrentBodies: env.WEBHOOK_CONCURRENT_BODIES,
      bodyTimeoutMs: env.WEBHOOK_BODY_TIMEOUT_MS,
    },
    /** ADMIN_SECRETS, for `/admin/partners`. */
    adminSecrets: env.ADMIN_SECRETS ?? [],
    readyCacheMs: env.READY_CACHE_MS,
    /** Node's HTTP server: slow senders and header size (node-server.ts). */
    http: {
      headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      maxHeaderBytes: env.HEADERS_MAX_BYTES,
    },
    retryAfterSeconds: env.RETRY_AFTER_SECONDS,
    logLevel: env.LOG_LEVEL,
    feedsDir: env.FEEDS_DIR,
    metricsToken: env.METRICS_TOKEN,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    maintenanceIntervalMs: env.MAINTENANCE_INTERVAL_MS,
    idempotencyMs: env.IDEMPOTENCY_TTL_HOURS * 3_600_000,
    changeLogMs: env.CHANGE_LOG_RETENTION_HOURS * 3_600_000,
    /** Whether PUBLIC_BASE_URL was given (production must say where it is published). */
    publicBaseUrlSet: env.PUBLIC_BASE_URL !== undefined,
    s3Explicit: env.S3_ENDPOINT !== undefined || raw.S3_REGION !== undefined,
  }
}

/**
 * What production (`npm run serve`) needs beyond the demo defaults: a real store with credentials, the
 * public URL, and webhook secrets. Throws one error naming every missing variable.
 */
export function requireProductionSettings(config: Config): Config {
  const missing: string[] = []
  if (!config.s3.accessKeyId) missing.push("  S3_ACCESS_KEY_ID: must be set (the store's access key id)")
  if (!config.s3.secretAccessKey) missing.push("  S3_SECRET_ACCESS_KEY: must be set (the store's secret key)")
  if (!config.publicBaseUrlSet)
    missing.push('  PUBLIC_BASE_URL: must be set to where the feeds are published')
  if (config.webhook.secrets.length === 0)
    missing.push('  WEBHOOK_SECRETS: must list at least one secret (comma-separated)')
  if (config.s3.endpoint === undefined && config.s3.region === 'us-east-1' && !config.s3Explicit) {
    missing.push(
      '  S3_ENDPOINT or S3_REGION: must say which store to use (AWS S3 needs S3_REGION; others S3_ENDPOINT)',
    )
  }
  if (missing.length > 0) throw new Error(`Incomplete configuration for production:\n${missing.join('\n')}`)
  return config
}

const PREFIXES = ['S3_', 'SILKFEED_', 'WEBHOOK_', 'WEBSUB_', 'ADMIN_']

/** Variables that look like Silkfeed's (by prefix) but are not: most likely typos, worth a warning. */
export function unknownVariables(env: Record<string, unknown>): string[] {
  const known = new Set(Object.keys(RawEnvSchema.shape))
  return Object.keys(env)
    .filter((name) => PREFIXES.some((p) => name.startsWith(p)) && !known.has(name))
    .sort()
}

/** The base of the feeds' links when PUBLIC_BASE_URL is not set: this machine, on the server's port. */
function localBaseUrl(port: number): string {
  return `http://127.0.0.1:${port}`
}

/**
 * The configuration once the server listens on `port`: with PORT=0, the port the system chose, which
 * the default PUBLIC_BASE_URL follows (links to port 0 would lead nowhere).
 */
export function withBoundPort(config: Config, port: number): Config {
  if (port === config.port) return config
  return { ...config, port, ...(config.publicBaseUrlSet ? {} : { publicBaseUrl: localBaseUrl(port) }) }
}

/** Parses raw environment values; throws one error listing every variable to fix. */
export function parseConfig(env: Record<string, unknown>): Config {
  // Empty strings mean "unset" (a blank line in .env or wrangler vars).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '' && v !== undefined))
  const result = RawEnvSchema.safeParse(cleaned)
  if (!result.success) {
    const lines = issueLines(result.error, 'env').map(
      (p) => `  ${p.path.replace(/^env\./, '')}: ${p.message}`,
    )
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  if (result.data.HEADERS_TIMEOUT_MS > result.data.REQUEST_TIMEOUT_MS) {
    throw new Error(
      'Invalid configuration:\n  HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS (the headers are part of the request)',
    )
  }
  const config = toConfig(result.data, cleaned)
  const needed = leastChangeLogMs(config.overlapMs)
  if (config.changeLogMs < needed) {
    throw new Error(
      `Invalid configuration:\n  CHANGE_LOG_RETENTION_HOURS: must be at least ${Math.ceil((needed / 3_600_000) * 100) / 100} with CHANGE_LOG_OVERLAP_MS at ${config.overlapMs} (the log must outlive the snapshots and the overlap that stand on it); raise it or lower CHANGE_LOG_OVERLAP_MS`,
    )
  }
  return config
}
