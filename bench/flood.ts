// `npm run bench:flood`: can requests that carry no key or signature starve storage? The production
// entry (`node dist/serve.mjs`, default settings) runs against the embedded s3rver, seeded with the
// samples, through a proxy that counts storage requests. For each unauthenticated endpoint in turn,
// wrk keeps 100 connections busy on it while, in this process, a reader polls a feed (one GET at a
// time) and an editor posts a signed 10-story webhook every second. Per endpoint it prints the
// reader's p50/p99, each webhook's time and status, and the storage requests per second; the
// targets are feed GET p99 ≤ 250 ms and every webhook 200 within 2 s. A first row, with no flood,
// is the baseline. Before each, the flood runs alone for half as long, to count the storage requests
// it causes by itself. Loopback only; it stops by itself after about (endpoints + 1) × 1.5 ×
// BENCH_SECONDS.
//
// Environment: BENCH_SECONDS (per endpoint, default 8), BENCH_CONNECTIONS (default 100),
// BENCH_SKIP_BUILD=1 to reuse dist/serve.mjs. Needs wrk (`apt-get install wrk`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg, release, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Article } from '../src/domain/article.ts'
import { READY_CACHE_MS } from '../src/http/routes/health.ts'
import { signBody } from '../src/http/signature.ts'
import { startEmbeddedS3 } from '../src/platform/embedded-s3.ts'
import { storeArticles } from '../src/services/seed.ts'
import { loadSamples, ROOT } from '../test/support/samples.ts'
import { storeFor } from '../test/support/s3.ts'
import { silkfeedEnv } from '../test/support/silkfeed-process.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100)
const BUCKET = 'silkfeed-flood'
const SECRET = 'flood-webhook-secret-0123456789'
const READER_PATH = '/ru/sco.rss'
const FEED_P99_TARGET_MS = 250
const WEBHOOK_TARGET_MS = 2000

/**
 * The documented bound (README, "Requests without a key or signature") on the storage requests
 * unauthenticated requests cause, with the default settings: each stored representation a request
 * can reach is read at most once per HOT_CACHE_MS, the readiness probe once per READY_CACHE_MS.
 */
const HOT_CACHE_MS = 2000
const PUBLIC_REPRESENTATIONS = 63 // 3 public feeds × 7 locales × 3 formats
const PAGE_REPRESENTATIONS = 21 // the JSON ones the directory and OPML read
const PROCESS_BOUND_PER_SECOND = (PUBLIC_REPRESENTATIONS * 1000) / HOT_CACHE_MS + 1000 / READY_CACHE_MS

/** What wrk floods: a path, or a Lua script for what a plain GET cannot say; what it may cost storage. */
interface Flood {
  name: string
  path: string
  lua?: string
  /** How many things it may read from storage, each at most once per `everyMs` (none: 0). */
  bound: { reads: number; everyMs: number }
}

const NONE = { reads: 0, everyMs: HOT_CACHE_MS }
const ONE_FEED = { reads: 1, everyMs: HOT_CACHE_MS }
const PAGES = { reads: PAGE_REPRESENTATIONS, everyMs: HOT_CACHE_MS }

/** The most storage requests the bound allows in a window of `seconds` (a read may fall at each end). */
function allowed({ reads, everyMs }: Flood['bound'], seconds: number): number {
  return reads === 0 ? 0 : reads * (Math.floor((seconds * 1000) / everyMs) + 1)
}

const FLOODS: Flood[] = [
  { name: 'GET /readyz', path: '/readyz', bound: { reads: 1, everyMs: READY_CACHE_MS } },
  { name: 'GET /healthz', path: '/healthz', bound: NONE },
  { name: 'GET /metrics', path: '/metrics', bound: NONE },
  {
    name: 'GET unknown feed URLs',
    path: '/',
    lua: `local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/zz" .. (n % 7) .. "/nope-" .. n .. ".rss")
end`,
    bound: NONE,
  },
  { name: 'GET / (directory)', path: '/', bound: PAGES },
  { name: 'GET /ru/latest (preview)', path: '/ru/latest', bound: ONE_FEED },
  { name: 'GET /feeds.opml', path: '/feeds.opml', bound: PAGES },
  { name: `GET ${READER_PATH} (the feed itself)`, path: READER_PATH, bound: ONE_FEED },
  {
    name: 'POST unsigned webhook',
    path: '/webhooks/republish',
    lua: `wrk.method = "POST"
wrk.body = '{"rebuild":"all"}'
wrk.headers["Content-Type"] = "application/json"`,
    bound: NONE,
  },
]

function requireWrk(): string {
  const result = spawnSync('wrk', ['--version'], { encoding: 'utf8' })
  if (result.error) {
    console.error('wrk is not installed: apt-get install wrk')
    process.exit(1)
  }
  return /wrk\s+(\S+)/.exec(`${result.stdout}${result.stderr}`)?.[1] ?? 'unknown'
}

const pinned = cpus().length >= 2 && !spawnSync('taskset', ['--version']).error
/** The server on core 0, wrk on core 1 (this process, the reader and editor, where the OS puts it). */
const pin = (core: number, argv: string[]) => (pinned ? ['taskset', '-c', String(core), ...argv] : argv)

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** Forwards every request to s3rver and counts it. */
function startCountingProxy(
  upstreamPort: number,
): Promise<{ server: Server; port: number; count: () => number }> {
  let count = 0
  const server = createServer((req, res) => {
    count++
    const upstream = httpRequest(
      { host: '127.0.0.1', port: upstreamPort, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      },
    )
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as AddressInfo).port, count: () => count }),
    ),
  )
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function startSilkfeed(
  directory: string,
  storagePort: number,
): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const out = openSync(join(directory, 'silkfeed.log'), 'w')
  const [command, ...args] = pin(0, [process.execPath, join(ROOT, 'dist/serve.mjs')])
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: silkfeedEnv({ port, s3Endpoint: `http://127.0.0.1:${storagePort}`, bucket: BUCKET, secret: SECRET }),
    stdio: ['ignore', out, out],
  })
  closeSync(out)
  const until = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`silkfeed exited with ${child.exitCode}`)
    if (Date.now() > until) throw new Error('silkfeed did not start within 30 s')
    const up = await fetch(`${base}/healthz`).then(
      (res) => res.ok,
      () => false,
    )
    if (up) return { child, base }
    await sleep(100)
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 })

/** One request over a keep-alive connection: status and milliseconds to the last byte. */
function timed(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; ms: number }> {
  const started = performance.now()
  return new Promise((resolve) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent },
      (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }))
      },
    )
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }))
    req.end(options.body)
  })
}

let storyCounter = 0
/** Ten new stories in Russian for the sco and latest feeds. */
function tenStories(): Article[] {
  const base = loadSamples().find((a) => a.locale === 'ru' && a.sections.includes('sco'))!
  return Array.from({ length: 10 }, () => {
    const n = ++storyCounter
    return {
      ...base,
      id: `flood-${n}`,
      title: `${base.title} (${n})`,
      url: `${base.url}-flood-${n}`,
      publishedAt: new Date(Date.parse('2026-12-01T00:00:00Z') + n * 60_000).toISOString(),
    }
  })
}

interface Row {
  name: string
  floodRps: number
  feedGets: number
  p50: number
  p99: number
  webhooks: { status: number; ms: number }[]
  /** Storage requests per second while the flood ran alone (no reader, no editor). */
  floodStoragePerSecond: number
  /** Storage requests while the flood ran alone, and the most the documented bound allows then. */
  floodStorage: number
  floodAllowed: number
  storagePerSecond: number
}

/** Reader and editor for `seconds`, beside whatever else loads the server meanwhile. */
async function measure(
  base: string,
  seconds: number,
): Promise<
  Omit<
    Row,
    'name' | 'floodRps' | 'storagePerSecond' | 'floodStoragePerSecond' | 'floodStorage' | 'floodAllowed'
  >
> {
  const until = performance.now() + seconds * 1000
  const feed: number[] = []
  const webhooks: { status: number; ms: number }[] = []
  const reader = (async () => {
    while (performance.now() < until) {
      const { status, ms } = await timed(`${base}${READER_PATH}`)
      if (status === 200) feed.push(ms)
      else feed.push(Infinity)
    }
  })()
  const editor = (async () => {
    while (performance.now() + 1000 < until) {
      const next = performance.now() + 1000
      const body = JSON.stringify({ upsert: tenStories() })
      const signature = await signBody(new TextEncoder().encode(body), SECRET, Date.now() / 1000)
      webhooks.push(
        await timed(`${base}/webhooks/republish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'silkfeed-signature': signature },
          body,
        }),
      )
      await sleep(Math.max(0, next - performance.now()))
    }
  })()
  await Promise.all([reader, editor])
  return { feedGets: feed.length, p50: percentile(feed, 50), p99: percentile(feed, 99), webhooks }
}

/** Runs wrk for `seconds` and returns its requests per second. */
function runWrk(base: string, flood: Flood, seconds: number, scriptDir: string): Promise<number> {
  const args = ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s']
  if (flood.lua) {
    const script = join(scriptDir, `${flood.name.replace(/\W+/g, '-')}.lua`)
    writeFileSync(script, flood.lua)
    args.push('-s', script)
  }
  const [command, ...rest] = pin(1, ['wrk', ...args, `${base}${flood.path}`])
  return new Promise((resolve) => {
    let out = ''
    const child = spawn(command!, rest, { stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.on('data', (chunk) => (out += chunk))
    child.once('exit', () => resolve(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN)))
  })
}

async function main(): Promise<void> {
  const wrkVersion = requireWrk()
  if (process.env.BENCH_SKIP_BUILD !== '1') {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' })
    if (build.status !== 0) process.exit(1)
  }
  const directory = mkdtempSync(join(tmpdir(), 'silkfeed-flood-'))
  const scriptDir = join(directory, 'wrk')
  mkdirSync(scriptDir)
  const s3 = await startEmbeddedS3({ directory: join(directory, 's3'), buckets: [BUCKET] })
  await storeArticles(storeFor(s3.endpoint, BUCKET), loadSamples())
  const proxy = await startCountingProxy(s3.port)
  const { child, base } = await startSilkfeed(directory, proxy.port)
  const rows: Row[] = []
  try {
    // Every feed rendered once, as on a server that has been up for a while.
    for (const path of ['/', '/feeds.opml', READER_PATH]) await timed(`${base}${path}`)

    for (const flood of [undefined, ...FLOODS]) {
      // The flood alone first: what it costs storage by itself.
      const aloneSeconds = Math.max(2, Math.round(SECONDS / 2))
      const aloneBefore = proxy.count()
      const aloneStarted = performance.now()
      if (flood) await runWrk(base, flood, aloneSeconds, scriptDir)
      else await sleep(aloneSeconds * 1000)
      const aloneElapsed = (performance.now() - aloneStarted) / 1000
      const floodStorage = proxy.count() - aloneBefore
      const floodStoragePerSecond = floodStorage / aloneElapsed

      const before = proxy.count()
      const started = performance.now()
      const [floodRps, measured] = await Promise.all([
        flood ? runWrk(base, flood, SECONDS, scriptDir) : Promise.resolve(0),
        measure(base, SECONDS),
      ])
      const storagePerSecond = (proxy.count() - before) / ((performance.now() - started) / 1000)
      rows.push({
        name: flood?.name ?? 'no flood (baseline)',
        floodRps,
        floodStoragePerSecond,
        floodStorage,
        floodAllowed: allowed(flood?.bound ?? NONE, aloneElapsed),
        storagePerSecond,
        ...measured,
      })
      await sleep(500)
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    proxy.server.close()
    agent.destroy()
    await s3.stop()
    rmSync(directory, { recursive: true, force: true })
  }

  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—')
  console.log(
    `\n# ${cpus().length} × ${cpus()[0]?.model}, Linux ${release()}, node ${process.version}, wrk ${wrkVersion}, ` +
      `load average ${loadavg()[0]!.toFixed(2)}; ${CONNECTIONS} connections, ${SECONDS} s per endpoint` +
      `${pinned ? ', server on core 0, wrk on core 1' : ''}\n`,
  )
  console.log(
    '| flooded endpoint | flood req/s | storage req/s, flood alone | feed GETs | feed p50 ms | feed p99 ms | webhooks (200 / sent) | slowest webhook ms | storage req/s, all |',
  )
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  const verdicts: { pass: boolean; line: string }[] = []
  const judge = (pass: boolean, line: string) => verdicts.push({ pass, line })
  for (const row of rows) {
    const good = row.webhooks.filter((w) => w.status === 200).length
    const slowest = Math.max(0, ...row.webhooks.map((w) => w.ms))
    console.log(
      `| ${row.name} | ${row.floodRps ? f(row.floodRps) : '—'} | ${f(row.floodStoragePerSecond)} | ${row.feedGets} | ${f(row.p50)} | ${f(row.p99)}${
        row.p99 <= FEED_P99_TARGET_MS ? '' : ' ✗'
      } | ${good} / ${row.webhooks.length} | ${f(slowest)}${slowest <= WEBHOOK_TARGET_MS ? '' : ' ✗'} | ${f(row.storagePerSecond)} |`,
    )
    judge(
      row.p99 <= FEED_P99_TARGET_MS,
      `${row.name}: feed GET p99 ${f(row.p99)} ms (p50 ${f(row.p50)} ms, ${row.feedGets} GETs); target ≤ ${FEED_P99_TARGET_MS} ms`,
    )
    judge(
      good === row.webhooks.length && slowest <= WEBHOOK_TARGET_MS,
      `${row.name}: webhooks ${good}/${row.webhooks.length} answered 200, slowest ${f(slowest)} ms; target every one 200 within ${WEBHOOK_TARGET_MS} ms`,
    )
    judge(
      row.floodStorage <= row.floodAllowed,
      `${row.name}: storage requests caused by the flood alone ${row.floodStorage} (${f(row.floodStoragePerSecond)}/s); ` +
        `documented bound for it ${row.floodAllowed} in that window (process-wide bound ${f(PROCESS_BOUND_PER_SECOND)}/s)`,
    )
  }
  console.log('')
  for (const { pass, line } of verdicts) console.log(`${pass ? 'PASS' : 'FAIL'}  ${line}`)
  const ok = verdicts.every((v) => v.pass)
  console.log(
    `\nTargets: feed GET p99 ≤ ${FEED_P99_TARGET_MS} ms; every webhook 200 within ${WEBHOOK_TARGET_MS} ms; ` +
      `storage requests within the documented bound. ` +
      (ok ? 'All met.' : 'Not all met (FAIL, ✗).'),
  )
  process.exitCode = ok ? 0 : 1
}

await main()
