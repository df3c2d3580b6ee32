import { z } from 'zod'
import { problemsFromZod } from '../domain/problem.ts'

const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1')

/** Every environment variable Silkfeed reads, validated once at the entry. */
export const RawEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_BASE_URL: z
    .url({
      protocol: /^https?$/,
      message: 'must be an absolute http(s) URL such as https://feeds.example.com',
    })
    .optional(),
  FEED_ID_AUTHORITY: z
    .string()
    .regex(
      /^[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?$/,
      'must be an RFC 4151 tagging entity such as example.com,2026',
    )
    .default('silkfeed.dev,2026'),
  S3_ENDPOINT: z.url({ message: 'must be a URL such as http://127.0.0.1:9000' }).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid bucket name')
    .default('silkfeed'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.optional(),
  STORAGE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  HOT_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(2000),
  CHANGE_LOG_OVERLAP_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
  TOMBSTONE_DAYS: z.coerce.number().min(0).max(3650).default(30),
  WEBHOOK_SECRETS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().min(16, 'each secret must have at least 16 characters')))
    .optional(),
  WEBSUB_HUBS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/, message: 'each hub must be an absolute http(s) URL' })))
    .optional(),
  WEBHOOK_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(1024 * 1024),
  RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
})

export type Config = ReturnType<typeof toConfig>

function toConfig(env: z.infer<typeof RawEnvSchema>) {
  return {
    port: env.PORT,
    host: env.HOST,
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${env.PORT}`).replace(/\/+$/, ''),
    idAuthority: env.FEED_ID_AUTHORITY,
    s3: {
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE ?? env.S3_ENDPOINT !== undefined,
      timeoutMs: env.STORAGE_TIMEOUT_MS,
    },
    hotCacheMs: env.HOT_CACHE_MS,
    overlapMs: env.CHANGE_LOG_OVERLAP_MS,
    tombstoneMs: env.TOMBSTONE_DAYS * 86_400_000,
    websubHubs: env.WEBSUB_HUBS ?? [],
    webhook: { secrets: env.WEBHOOK_SECRETS ?? [], maxBytes: env.WEBHOOK_MAX_BYTES },
    retryAfterSeconds: env.RETRY_AFTER_SECONDS,
    logLevel: env.LOG_LEVEL,
  }
}

/** Parses raw environment values; throws one error listing every variable to fix. */
export function parseConfig(env: Record<string, unknown>): Config {
  // Empty strings mean "unset" (a blank line in .env or wrangler vars).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '' && v !== undefined))
  const result = RawEnvSchema.safeParse(cleaned)
  if (!result.success) {
    const lines = problemsFromZod(result.error, 'env').map(
      (p) => `  ${p.path.replace(/^env\./, '')}: ${p.message}`,
    )
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  return toConfig(result.data)
}
