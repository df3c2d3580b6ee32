import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { signBody } from '../../src/http/signature.ts'
import { startEmbeddedS3, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { ROOT } from '../support/samples.ts'
import type { S3ObjectStore } from '../../src/storage/s3-object-store.ts'
import { startSeededS3 } from '../support/s3.ts'

const execFileAsync = promisify(execFile)
const SECRET = 'serve-test-secret-0123456789'
const METRICS_TOKEN = 'metrics-token-0123456789'

let s3: EmbeddedS3
let store: S3ObjectStore
let directory: string
let proxy: Server
let proxyPort: number
let delayMs = 0
let built: string
let metafile: string

/**
 * `npm run build` as package.json has it, into a directory of this test run under the project root
 * (the entry finds feeds/ upward from itself), with esbuild's metafile beside it.
 */
function buildServe(): void {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { build: string } }
  const [tool, ...args] = pkg.scripts.build.split(/\s+/)
  const out = join(ROOT, 'test', '.artifacts', `serve-${process.pid}`)
  mkdirSync(out, { recursive: true })
  built = join(out, 'serve.mjs')
  metafile = join(out, 'meta.json')
  const outdir = args.findIndex((a) => a.startsWith('--outdir='))
  expect(tool).toBe('esbuild')
  expect(outdir).toBeGreaterThanOrEqual(0)
  args[outdir] = `--outdir=${out}`
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), [...args, `--metafile=${metafile}`], {
    cwd: ROOT,
    encoding: 'utf8',
  })
  if (run.status !== 0) throw new Error(`npm run build failed: ${run.stderr}`)
}

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
    proxy.listen(0, '127.0.0.1', () => {
      proxyPort = (proxy.address() as AddressInfo).port
      resolve()
    }),
  )
}

interface Running {
  child: ChildProcess
  base: string
  logs: string[]
  exited: Promise<number | null>
}

async function startServe(
  // An undefined value leaves the variable out.
  extraEnv: Record<string, string | undefined> = {},
  // As `npm run serve` runs it: plain node on the built file, no tsx.
  entry: string[] = [built],
  program = process.execPath,
): Promise<Running> {
  const child = spawn(program, entry, {
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
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs.push(line)
      const url = /"url":"(http:\/\/[^"]+)"/.exec(line)
      if (line.includes('silkfeed listening') && url) resolve(url[1]!)
    })
    createInterface({ input: child.stderr }).on('line', (line) => logs.push(line))
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${logs.join('\n')}`)))
  })
  return { child, base, logs, exited }
}

/** A process's JSON log lines, parsed (stderr's plain lines left out). */
function jsonLines<T>(logs: string[]): T[] {
  return logs.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as T)
}

/**
 * package.json's start script as words (`node scripts/start.mjs`): plain node, since the entry is
 * built on the spot with no tsx.
 */
function startScript(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
  // `exec` makes the shell npm runs the script in become node, so npm's SIGTERM reaches it.
  return pkg.scripts.start.split(/\s+/).filter((word) => word !== 'exec')
}

beforeAll(async () => {
  buildServe()
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-serve-'))
  ;({ embedded: s3, store } = await startSeededS3(directory, 'silkfeed-serve'))
  await startProxy()
})

afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve))
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
  if (built) rmSync(dirname(built), { recursive: true, force: true })
})

describe('npm run serve (production Node entry)', () => {
  it('is built to import only Node built-ins and production dependencies (no dev tooling at runtime)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>
    }
    const meta = JSON.parse(readFileSync(metafile, 'utf8')) as {
      outputs: Record<string, { imports: { path: string; external?: boolean }[] }>
    }
    const bare = Object.values(meta.outputs)
      .flatMap((o) => o.imports)
      .filter((i) => i.external && !i.path.startsWith('node:') && !builtinModules.includes(i.path))
      .map((i) => i.path)
    const packages = [
      ...new Set(
        bare.map((p) =>
          p
            .split('/')
            .slice(0, p.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
      ),
    ]
    expect(packages).toContain('@aws-sdk/client-s3')
    expect(packages.filter((name) => !(name in pkg.dependencies))).toEqual([])
  })

  async function refusal(env: Record<string, string>): Promise<{ code: unknown; stderr: string }> {
    const child = spawn(process.execPath, [built], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const code = await new Promise((resolve) => child.once('close', resolve)) // after the last of stderr
    return { code, stderr }
  }

  it('refuses to start with an invalid value, naming the variable', async () => {
    const { code, stderr } = await refusal({ S3_BUCKET: 'Not_A_Bucket!' })
    expect(code).toBe(78)
    expect(stderr).toMatch(/S3_BUCKET: must be a valid bucket name/)
  })

  it('refuses to start, with 78, when its feed definitions cannot be read or its change log would not outlive its overlap', async () => {
    const production = {
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: 'secret',
      PUBLIC_BASE_URL: 'https://f.test',
      WEBHOOK_SECRETS: SECRET,
    }
    const missing = await refusal({ ...production, FEEDS_DIR: 'no-such-feeds' })
    expect(missing.code).toBe(78)
    expect(missing.stderr).toMatch(/FEEDS_DIR \(no-such-feeds\): ENOENT/)
    const short = await refusal({
      ...production,
      CHANGE_LOG_RETENTION_HOURS: '1',
      CHANGE_LOG_OVERLAP_MS: '3600000',
    })
    expect(short.code).toBe(78)
    expect(short.stderr).toMatch(/CHANGE_LOG_RETENTION_HOURS: must be at least/)
  })

  it('refuses to start without the settings production needs, naming each', async () => {
    const { code, stderr } = await refusal({
      S3_ENDPOINT: 'http://127.0.0.1:9',
      PUBLIC_BASE_URL: 'https://f.test',
    })
    expect(code).toBe(78)
    expect(stderr).toMatch(/S3_ACCESS_KEY_ID: must be set[\s\S]*S3_SECRET_ACCESS_KEY[\s\S]*WEBHOOK_SECRETS/)
    expect(stderr).not.toMatch(/PUBLIC_BASE_URL/)
  })

  it('serves feeds, answers health and readiness, logs JSON lines without secrets, and exposes metrics behind a token', async () => {
    const app = await startServe({ S3_TYPO_VAR: 'x' })
    try {
      expect((await fetch(`${app.base}/ru/sco.rss`)).status).toBe(200)
      expect((await fetch(`${app.base}/ru/sco.rss`)).status).toBe(200)
      expect(await (await fetch(`${app.base}/healthz`)).json()).toEqual({ status: 'ok' })
      const ready = (await (await fetch(`${app.base}/readyz`)).json()) as { storage: { latencyMs: number } }
      expect(ready.storage.latencyMs).toBeGreaterThanOrEqual(0)

      for (const authorization of [undefined, `Bearer ${METRICS_TOKEN}x`, METRICS_TOKEN]) {
        const refused = await fetch(`${app.base}/metrics`, {
          headers: authorization ? { authorization } : {},
        })
        expect(refused.status).toBe(401)
        expect(refused.headers.get('www-authenticate')).toBe('Bearer')
        expect(((await refused.json()) as { code: string }).code).toBe('METRICS_UNAUTHORIZED')
      }
      const metrics = await (
        await fetch(`${app.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      ).text()
      expect(metrics).toMatch(
        /silkfeed_http_requests_total\{route="\/\{locale\}\/\{feed\}\.\{format\}",status="200"\} 2/,
      )
      expect(metrics).toMatch(/silkfeed_feed_cache_total\{outcome="hit"\} 1/)
      expect(metrics).toMatch(/silkfeed_storage_request_seconds_count\{op="get",outcome="ok"\} \d+/)
      expect(metrics).toMatch(/silkfeed_render_seconds_count\{feed="sco"\} 1/)

      const body = JSON.stringify({ rebuild: ['sco'] })
      const signature = await signBody(new TextEncoder().encode(body), SECRET, Date.now() / 1000)
      const post = (sig: string) =>
        fetch(`${app.base}/webhooks/republish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'silkfeed-signature': sig },
          body,
        })
      expect((await post(signature)).status).toBe(200)
      expect((await post(signature.replace(/v1=[0-9a-f]+/, `v1=${'0'.repeat(64)}`))).status).toBe(401)
      const after = await (
        await fetch(`${app.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      ).text()
      expect(after).toMatch(/silkfeed_webhook_total\{outcome="published",status="200"\} 1/)
      expect(after).toMatch(/silkfeed_webhook_total\{outcome="unauthorized",status="401"\} 1/)

      // Request lines leave in batches (at most 50 ms after the first of them): wait for the webhooks'.
      const parsed = () => jsonLines<Record<string, unknown>>(app.logs)
      await vi.waitFor(() =>
        expect(
          parsed().filter((l) => l.message === 'request' && l.path === '/webhooks/republish'),
        ).toHaveLength(2),
      )
      const lines = parsed()
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
      expect(requests.filter((r) => r.path === '/webhooks/republish').map((r) => r.status)).toEqual([
        200, 401,
      ])
      const hmac = /v1=([0-9a-f]+)/.exec(signature)![1]!
      for (const secret of [SECRET, METRICS_TOKEN, 'S3RVER', hmac]) expect(all).not.toContain(secret)
      expect(all).not.toMatch(/silkfeed-signature|authorization/i)
    } finally {
      app.child.kill('SIGTERM')
      await app.exited
    }
  })

  it.each([
    ['hot', {}],
    ['cold', { HOT_CACHE_MS: '0' }],
  ])(
    'answers a conditional GET of a %s feed with a 304 that curl -i shows without body headers',
    async (_, env) => {
      const app = await startServe(env)
      try {
        // Asynchronously: the storage proxy runs in this process.
        const curl = async (...args: string[]) =>
          (await execFileAsync('curl', ['-si', '--compressed', ...args, `${app.base}/kk/latest.atom`])).stdout
        const ok = await curl()
        const etag = /^etag: (.+)\r$/im.exec(ok)?.[1]
        const lastModified = /^last-modified: (.+)\r$/im.exec(ok)?.[1]
        expect(etag).toBeDefined()
        for (const condition of [`if-none-match: ${etag}`, `if-modified-since: ${lastModified}`]) {
          const head = (await curl('-H', condition)).split('\r\n\r\n')[0]!
          expect(head, condition).toMatch(/^HTTP\/1\.1 304 /)
          for (const name of ['etag', 'cache-control', 'last-modified', 'vary', 'date']) {
            expect(head, `${condition}: ${name}`).toMatch(new RegExp(`^${name}: `, 'im'))
          }
          for (const name of [
            'content-type',
            'content-encoding',
            'content-length',
            'content-language',
            'transfer-encoding',
          ]) {
            expect(head, `${condition}: ${name}`).not.toMatch(new RegExp(`^${name}:`, 'im'))
          }
        }
      } finally {
        app.child.kill('SIGTERM')
        await app.exited
      }
    },
  )

  it('flips readiness when storage stops and returns', async () => {
    const app = await startServe({ READY_CACHE_MS: '0' })
    try {
      expect((await fetch(`${app.base}/readyz`)).status).toBe(200)
      const port = s3.port
      await s3.stop()
      const down = await fetch(`${app.base}/readyz`)
      expect(down.status).toBe(503)
      expect(down.headers.get('retry-after')).not.toBeNull()
      expect(((await down.json()) as { storage: { reason: string } }).storage.reason).toBe('unreachable')
      s3 = await startEmbeddedS3({ directory, port, buckets: ['silkfeed-serve'] })
      expect((await fetch(`${app.base}/readyz`)).status).toBe(200)
    } finally {
      app.child.kill('SIGTERM')
      await app.exited
    }
  })

  it.each([
    ['a missing bucket', { S3_BUCKET: 'silkfeed-serve-missing' }, 'bucket-missing'],
    ['a key the store refuses', { S3_ACCESS_KEY_ID: 'AKIASERVEWRONGKEY' }, 'credentials-refused'],
  ])(
    'says on /readyz that %s is a configuration error, through the storage thread',
    async (_, env, reason) => {
      const app = await startServe({ ...env, READY_CACHE_MS: '0' })
      try {
        const res = await fetch(`${app.base}/readyz`)
        expect(res.status).toBe(503)
        expect(res.headers.get('retry-after')).toBeNull()
        const text = await res.text()
        expect(JSON.parse(text)).toMatchObject({ storage: { status: 'misconfigured', reason } })
        for (const value of Object.values(env)) expect(text).not.toContain(value)
      } finally {
        app.child.kill('SIGTERM')
        await app.exited
      }
    },
  )

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

describe('npm run serve, shutting down with a request slower than SHUTDOWN_TIMEOUT_MS', () => {
  it('gives up on it after the timeout and exits 1 rather than hanging', async () => {
    const app = await startServe({ SHUTDOWN_TIMEOUT_MS: '300', STORAGE_TIMEOUT_MS: '60000' })
    delayMs = 10_000
    try {
      const stuck = fetch(`${app.base}/readyz`).then(
        (res) => res.status,
        () => 'closed',
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      app.child.kill('SIGTERM')
      expect(await app.exited).toBe(1)
      expect(await stuck).toBe('closed')
      expect(app.logs.some((l) => l.includes('shutdown timed out'))).toBe(true)
    } finally {
      delayMs = 0
    }
  })
})

describe('npm start (the demo entry) against a configured store', () => {
  it('warns about look-alike variables it does not read, and still starts', async () => {
    // As package.json's start script runs it.
    const [node, ...args] = startScript()
    expect(node).toBe('node')
    const app = await startServe({ SILKFEED_LOGLEVEL: 'debug', S3_ENDPIONT: 'x' }, args)
    try {
      expect((await fetch(`${app.base}/healthz`)).status).toBe(200)
      const warned = jsonLines<{ message: string; variable?: string }>(app.logs)
        .filter((l) => l.message === 'unknown variable ignored (typo?)')
        .map((l) => l.variable)
      expect(warned).toEqual(['S3_ENDPIONT', 'SILKFEED_LOGLEVEL'])
    } finally {
      app.child.kill('SIGTERM')
      await app.exited
    }
  })
})

describe('npm start on PORT=0 without PUBLIC_BASE_URL', () => {
  it('logs, and links to, the port the system chose, not port 0', async () => {
    const [, ...args] = startScript()
    const app = await startServe({ PORT: '0', PUBLIC_BASE_URL: undefined }, args)
    try {
      const port = Number(new URL(app.base).port)
      expect(port).toBeGreaterThan(0)
      const doc = (await (await fetch(`${app.base}/openapi.json`)).json()) as { servers: { url: string }[] }
      expect(doc.servers).toEqual([{ url: `http://127.0.0.1:${port}` }])
      const opml = await (await fetch(`${app.base}/ru/feeds.opml`)).text()
      expect(opml).toContain(`xmlUrl="http://127.0.0.1:${port}/ru/latest.rss"`)
      expect(opml).not.toContain('127.0.0.1:0/')
    } finally {
      app.child.kill('SIGTERM')
      await app.exited
    }
  })
})

describe('a port already in use', () => {
  it('stops the production entry with a sentence that says what to change, not a stack trace', async () => {
    const holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const { port } = holder.address() as AddressInfo
    try {
      const failure = await startServe({ PORT: String(port) }).then(
        () => undefined,
        (error: unknown) => (error as Error).message,
      )
      expect(failure).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`)
      expect(failure).toContain('set PORT')
      expect(failure).not.toContain('Unhandled')
    } finally {
      await new Promise((resolve) => holder.close(resolve))
    }
  })
})

describe('npm start under a process manager', () => {
  it('stops whole, freeing its port, on a SIGTERM sent to npm itself', async () => {
    const app = await startServe({ HOME: process.env.HOME ?? ROOT }, ['start'], 'npm')
    expect((await fetch(`${app.base}/healthz`)).status).toBe(200)
    app.child.kill('SIGTERM')
    await app.exited
    await vi.waitFor(
      async () => {
        await expect(fetch(`${app.base}/healthz`)).rejects.toThrow()
      },
      { timeout: 10_000, interval: 200 },
    )
    expect(app.logs.some((l) => l.includes('"message":"stopped"'))).toBe(true)
  })
})

describe('maintenance in both Node entries (npm run serve and npm start)', () => {
  it('forgets an idempotency record past IDEMPOTENCY_TTL_HOURS once MAINTENANCE_INTERVAL_MS has passed', async () => {
    // A record as the webhook leaves it (webhook.ts), written two days ago; the TTL is 24 hours.
    const key = 'idempotency/0badc0ffee0badc0ffee0badc0ffee0badc0ffee0badc0ffee0badc0ffee0bad.json'
    const record = {
      bodyDigest: '0'.repeat(64),
      at: new Date(Date.now() - 48 * 3_600_000).toISOString(),
      response: { status: 200, body: { ok: true } },
    }
    await store.put(key, new TextEncoder().encode(JSON.stringify(record)), {
      contentType: 'application/json',
    })
    expect(await store.list('idempotency/')).toContain(key)

    const [, ...startArgs] = startScript()
    // The shortest period the configuration allows: the first run comes one period after the start.
    const env = { MAINTENANCE_INTERVAL_MS: '60000', IDEMPOTENCY_TTL_HOURS: '24' }
    const entries = await Promise.all([startServe(env), startServe(env, startArgs)])
    try {
      const reports = () =>
        entries.map((entry) =>
          jsonLines<{ message: string; idempotencyDeleted?: number }>(entry.logs).filter(
            (l) => l.message === 'maintenance done',
          ),
        )
      await vi.waitFor(() => expect(reports().map((r) => r.length > 0)).toEqual([true, true]), {
        timeout: 150_000,
        interval: 500,
      })
      // Both ran over the same store: one of them forgot the record, and it is gone.
      expect(
        reports()
          .flat()
          .some((r) => r.idempotencyDeleted === 1),
      ).toBe(true)
      expect(await store.list('idempotency/')).not.toContain(key)
    } finally {
      for (const entry of entries) entry.child.kill('SIGTERM')
      await Promise.all(entries.map((entry) => entry.exited))
    }
  }, 200_000)
})
