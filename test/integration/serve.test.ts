import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmbeddedS3, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { ROOT } from '../support/samples.ts'
import { startSeededS3 } from '../support/s3.ts'

const SECRET = 'serve-test-secret-0123456789'
const METRICS_TOKEN = 'metrics-token-0123456789'

let s3: EmbeddedS3
let directory: string
let proxy: Server
let proxyPort: number
let delayMs = 0

/** A proxy in front of s3rver that can make storage slow on demand. */
function startProxy(): Promise<void> {
  proxy = createServer((req, res) => {
    setTimeout(() => {
      const upstream = httpRequest(
        { host: '127.0.0.1', port: s3.port, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
        },
      )
      upstream.on('error', () => res.writeHead(502).end())
      req.pipe(upstream)
    }, delayMs)
  })
  return new Promise((resolve) =>
    proxy.listen(0, '127.0.0.1', () => ((proxyPort = (proxy.address() as AddressInfo).port), resolve())),
  )
}

interface Running {
  child: ChildProcess
  base: string
  logs: string[]
  exited: Promise<number | null>
}

async function startServe(extraEnv: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/platform/serve.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      PUBLIC_BASE_URL: 'https://feeds.silkfeed.test',
      S3_ENDPOINT: `http://127.0.0.1:${proxyPort}`,
      S3_BUCKET: 'silkfeed-serve',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      WEBHOOK_SECRETS: SECRET,
      METRICS_TOKEN,
      STORAGE_TIMEOUT_MS: '3000',
      SHUTDOWN_TIMEOUT_MS: '5000',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: string[] = []
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const base = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line)
      const url = /"url":"(http:\/\/[^"]+)"/.exec(line)
      if (line.includes('silkfeed listening') && url) resolve(url[1]!)
    })
    createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line))
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${logs.join('\n')}`)))
  })
  return { child, base, logs, exited }
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-serve-'))
  ;({ embedded: s3 } = await startSeededS3(directory, 'silkfeed-serve'))
  await startProxy()
})

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve))
  await s3?.stop()
  rmSync(directory, { recursive: true, force: true })
})

describe('npm run serve (production Node entry)', () => {
  it('refuses to start without the settings production needs, naming each', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/platform/serve.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, S3_BUCKET: 'Not_A_Bucket!' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr!.on('data', (chunk) => (stderr += chunk))
    const code = await new Promise((resolve) => child.once('exit', resolve))
    expect(code).toBe(78)
    expect(stderr).toMatch(/S3_BUCKET: must be a valid bucket name/)
  })

  it('serves feeds, answers health and readiness, logs JSON lines without secrets, and exposes metrics behind a token', async () => {
    const app = await startServe({ S3_TYPO_VAR: 'x' })
    try {
      expect((await fetch(`${app.base}/ru/sco.rss`)).status).toBe(200)
      expect((await fetch(`${app.base}/ru/sco.rss`)).status).toBe(200)
      expect(await (await fetch(`${app.base}/healthz`)).json()).toEqual({ status: 'ok' })
      const ready = (await (await fetch(`${app.base}/readyz`)).json()) as { storage: { latencyMs: number } }
      expect(ready.storage.latencyMs).toBeGreaterThanOrEqual(0)

      expect((await fetch(`${app.base}/metrics`)).status).toBe(401)
      const metrics = await (
        await fetch(`${app.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      ).text()
      expect(metrics).toMatch(/silkfeed_http_requests_total\{route="\/:locale\/:file",status="200"\} 2/)
      expect(metrics).toMatch(/silkfeed_feed_cache_total\{outcome="hit"\} 1/)
      expect(metrics).toMatch(/silkfeed_storage_request_seconds_count\{op="get",outcome="ok"\} \d+/)
      expect(metrics).toMatch(/silkfeed_render_seconds_count\{feed="sco"\} 1/)

      const lines = app.logs
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      const requests = lines.filter((l) => l.message === 'request')
      expect(requests.find((r) => r.path === '/ru/sco.rss' && r.cache === 'hit')).toMatchObject({
        method: 'GET',
        status: 200,
        bytes: expect.any(Number),
        durationMs: expect.any(Number),
        requestId: expect.any(String),
      })
      expect(
        lines.some((l) => l.message === 'unknown variable ignored (typo?)' && l.variable === 'S3_TYPO_VAR'),
      ).toBe(true)
      const all = app.logs.join('\n')
      for (const secret of [SECRET, METRICS_TOKEN, 'S3RVER']) expect(all).not.toContain(secret)
    } finally {
      app.child.kill('SIGTERM')
      await app.exited
    }
  })

  it('flips readiness when storage stops and returns', async () => {
    const app = await startServe()
    try {
      expect((await fetch(`${app.base}/readyz`)).status).toBe(200)
      const port = s3.port
      await s3.stop()
      const down = await fetch(`${app.base}/readyz`)
      expect(down.status).toBe(503)
      expect(down.headers.get('retry-after')).not.toBeNull()
      s3 = await startEmbeddedS3({ directory, port, buckets: ['silkfeed-serve'] })
      expect((await fetch(`${app.base}/readyz`)).status).toBe(200)
    } finally {
      app.child.kill('SIGTERM')
      await app.exited
    }
  })

  it('on SIGTERM finishes the request in flight, refuses new connections, and exits 0', async () => {
    const app = await startServe()
    delayMs = 1500
    try {
      const inFlight = fetch(`${app.base}/readyz`)
      await new Promise((resolve) => setTimeout(resolve, 300))
      app.child.kill('SIGTERM')
      await new Promise((resolve) => setTimeout(resolve, 200))
      await expect(fetch(`${app.base}/healthz`)).rejects.toThrow()
      const res = await inFlight
      expect(res.status).toBe(200)
      expect(await app.exited).toBe(0)
    } finally {
      delayMs = 0
    }
  })
})
