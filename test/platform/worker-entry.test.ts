import type { ExecutionContext } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import worker from '../../src/platform/worker.ts'

// The Worker entry's own wiring, called as workerd would call it (the workerd project runs the rest).

const ctx = {
  waitUntil: () => {},
  passThroughOnException: () => {},
  props: {},
} as unknown as ExecutionContext

const env = () => ({
  S3_ENDPOINT: 'http://127.0.0.1:9',
  S3_ACCESS_KEY_ID: 'key-id-for-the-test',
  S3_SECRET_ACCESS_KEY: 'secret-for-the-test',
  PUBLIC_BASE_URL: 'https://feeds.silkfeed.test',
  LOG_LEVEL: 'warn',
  S3_BUCKKET: 'typo',
  SILKFEED_MODE: 'x',
})

afterEach(() => {
  vi.restoreAllMocks()
})

describe('the Worker entry', () => {
  it('warns once per isolate about look-alike variables it does not read, never echoing secrets', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
    const bindings = env()
    for (let i = 0; i < 2; i++) {
      const res = await worker.fetch(new Request('https://feeds.silkfeed.test/healthz'), bindings, ctx)
      expect(res.status).toBe(200)
    }
    const warnings = lines.map((l) => JSON.parse(l) as { level: string; message: string; variable?: string })
    expect(
      warnings.filter((w) => w.message === 'unknown variable ignored (typo?)').map((w) => w.variable),
    ).toEqual(['S3_BUCKKET', 'SILKFEED_MODE'])
    expect(lines.join('\n')).not.toContain('secret-for-the-test')
  })

  it('refuses to serve without PUBLIC_BASE_URL, rather than publish links to 127.0.0.1', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
    const { PUBLIC_BASE_URL: _unset, ...bindings } = env()
    const res = await worker.fetch(new Request('https://feeds.silkfeed.test/ru/sco.rss'), bindings, ctx)
    expect(res.status).toBe(503)
    expect(((await res.json()) as { code: string }).code).toBe('NOT_CONFIGURED')
    const errors = lines
      .map((l) => JSON.parse(l) as { level: string; reason?: string })
      .filter((l) => l.level === 'error')
    expect(errors[0]?.reason).toContain('PUBLIC_BASE_URL: must be set')
  })

  it('answers a 503 problem pointing to its log when its configuration is invalid, and logs why once', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
    const bindings = { ...env(), WEBHOOK_SECRETS: 'short-secret', STORAGE_TIMEOUT_MS: 'soon' }
    for (const language of ['ru', 'kk']) {
      const res = await worker.fetch(
        new Request('https://feeds.silkfeed.test/ru/sco.rss', { headers: { 'accept-language': language } }),
        bindings,
        ctx,
      )
      expect(res.status).toBe(503)
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
      expect(res.headers.get('content-language')).toBe(language)
      const problem = (await res.json()) as { code: string; detail: string; instance: string }
      expect(problem.code).toBe('NOT_CONFIGURED')
      expect(problem.instance).toBe('/ru/sco.rss')
      expect(problem.detail).toContain('npx wrangler tail')
    }
    const errors = lines
      .map((l) => JSON.parse(l) as { level: string; reason?: string })
      .filter((l) => l.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.reason).toContain('WEBHOOK_SECRETS')
    expect(errors[0]!.reason).toContain('STORAGE_TIMEOUT_MS')
    expect(lines.join('\n')).not.toContain('short-secret')
    expect(lines.join('\n')).not.toContain('secret-for-the-test')
  })
})
