import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  parseConfig,
  RawEnvSchema,
  requireProductionSettings,
  unknownVariables,
} from '../../src/platform/config.ts'
import { ROOT } from '../support/samples.ts'

const production = {
  PUBLIC_BASE_URL: 'https://feeds.example.com/',
  S3_ENDPOINT: 'https://acc.r2.cloudflarestorage.com',
  S3_REGION: 'auto',
  S3_ACCESS_KEY_ID: 'AKIA',
  S3_SECRET_ACCESS_KEY: 'secret',
  WEBHOOK_SECRETS: 'first-secret-0123456789, second-secret-0123456789',
}

describe('configuration', () => {
  it('gives working defaults for the demo', () => {
    const config = parseConfig({})
    expect(config.port).toBe(8787)
    expect(config.publicBaseUrl).toBe('http://127.0.0.1:8787')
    expect(config.s3.bucket).toBe('silkfeed')
    expect(config.webhook.maxBytes).toBe(8 * 1024 * 1024)
  })

  it('reads a complete production environment', () => {
    const config = requireProductionSettings(parseConfig(production))
    expect(config.publicBaseUrl).toBe('https://feeds.example.com')
    expect(config.s3.forcePathStyle).toBe(true)
    expect(config.webhook.secrets).toEqual(['first-secret-0123456789', 'second-secret-0123456789'])
  })

  it('bounds webhook bodies and readiness probes by default, and reads other limits', () => {
    const defaults = parseConfig({})
    expect(defaults.webhook).toMatchObject({ maxConcurrentBodies: 16, bodyTimeoutMs: 10_000 })
    expect(defaults.webhook.bodyTimeoutMs).toBeLessThanOrEqual(30_000)
    expect(defaults.readyCacheMs).toBe(5000)
    const set = parseConfig({
      WEBHOOK_CONCURRENT_BODIES: '4',
      WEBHOOK_BODY_TIMEOUT_MS: '2500',
      READY_CACHE_MS: '0',
    })
    expect(set.webhook).toMatchObject({ maxConcurrentBodies: 4, bodyTimeoutMs: 2500 })
    expect(set.readyCacheMs).toBe(0)
    expect(() => parseConfig({ WEBHOOK_CONCURRENT_BODIES: '0', WEBHOOK_BODY_TIMEOUT_MS: 'soon' })).toThrow(
      /WEBHOOK_CONCURRENT_BODIES[\s\S]*WEBHOOK_BODY_TIMEOUT_MS/,
    )
  })

  it('refuses a change-log retention the overlap would outrun, naming both variables and the least it takes', () => {
    expect(() => parseConfig({ CHANGE_LOG_RETENTION_HOURS: '1', CHANGE_LOG_OVERLAP_MS: '3600000' })).toThrow(
      /CHANGE_LOG_RETENTION_HOURS: must be at least 2\.34 with CHANGE_LOG_OVERLAP_MS at 3600000/,
    )
    expect(
      parseConfig({ CHANGE_LOG_RETENTION_HOURS: '2.34', CHANGE_LOG_OVERLAP_MS: '3600000' }).changeLogMs,
    ).toBe(2.34 * 3_600_000)
  })

  it('treats empty values as unset', () => {
    expect(parseConfig({ PORT: '', S3_ENDPOINT: '' }).s3.endpoint).toBeUndefined()
  })

  it('names every invalid variable at once', () => {
    expect(() =>
      parseConfig({
        PORT: 'eighty',
        S3_BUCKET: 'No_Such',
        PUBLIC_BASE_URL: 'feeds.example.com',
        WEBHOOK_SECRETS: 'short',
      }),
    ).toThrow(
      /PORT[\s\S]*PUBLIC_BASE_URL: must be an absolute http\(s\) URL[\s\S]*S3_BUCKET[\s\S]*WEBHOOK_SECRETS/,
    )
  })

  it('lists what production is missing', () => {
    expect(() => requireProductionSettings(parseConfig({}))).toThrow(
      /S3_ACCESS_KEY_ID[\s\S]*S3_SECRET_ACCESS_KEY[\s\S]*PUBLIC_BASE_URL[\s\S]*WEBHOOK_SECRETS/,
    )
  })

  it('flags look-alike variables that Silkfeed does not read', () => {
    expect(unknownVariables({ ...production, S3_ENDPIONT: 'x', SILKFEED_DEBUG: '1', HOME: '/root' })).toEqual(
      ['S3_ENDPIONT', 'SILKFEED_DEBUG'],
    )
  })
})

describe('the configuration reference in the README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(
    readme.indexOf('## Configuration'),
    readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1),
  )
  const rows = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` *\|([^|]*)\|([^|]*)\|/gm)].map(
    ([, name, byDefault, readBy]) => ({
      name: name!,
      byDefault: byDefault!.trim(),
      readBy: readBy!.trim(),
    }),
  )
  const shape = RawEnvSchema.shape as Record<
    string,
    { safeParse(v: unknown): { success: boolean; data?: unknown } }
  >

  it('lists every variable the schema reads, once, and nothing else', () => {
    expect(rows.map((r) => r.name).sort()).toEqual(Object.keys(shape).sort())
  })

  it('says which runtime reads each variable', () => {
    for (const row of rows) expect(row.readBy, row.name).toMatch(/^(Node|Workers|both)\b/)
  })

  it('gives the default the schema applies', () => {
    for (const row of rows) {
      const parsed = shape[row.name]!.safeParse(undefined)
      if (parsed.success && parsed.data !== undefined)
        expect(row.byDefault, row.name).toContain(`\`${String(parsed.data as string | number | boolean)}\``)
    }
  })
})
