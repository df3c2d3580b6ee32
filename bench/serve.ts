// `npm run bench:serve`: how fast the Node entry serves a hot feed, beside a bare node:http server that
// answers with the same bytes and headers from memory, measured in the same run on this machine.
//
// The server under test is the production build (`npm run build`, then `node dist/serve.mjs`, what
// `npm run serve` runs): what operators deploy, with no TypeScript loader in the process, in a process
// of its own with its default settings (one JSON log line per request, Prometheus metrics,
// HOT_CACHE_MS=2000). Its store is the embedded s3rver (src/platform/embedded-s3.ts), seeded with
// generated Russian stories and reached through a counting proxy, so the storage requests made during
// the hot runs are counted where they arrive. A bench-only catalogue (FEEDS_DIR) holds feeds of 10, 50
// and 500 items. Each case (200 identity, 200 gzip, 304, HEAD) is run by wrk against Silkfeed and
// against the bare server (bench/bare-server.mjs, holding the responses captured from Silkfeed), one
// after the other, the order alternating; both servers are pinned to core 0 and the load generator to
// core 1. Besides req/s and latency it reports the server's CPU time per request, which a busy
// machine disturbs less than req/s.
//
// The partner case: a partner (full text, the 50-item feed or the nearest size) reads its keyed URL
// `/p/{key}/ru/bench-N.rss`, hot, 200 identity, alternating with the public URL of the same feed in
// the same rounds; the target is ≥ 0.9x the public req/s, with no storage request per hit (the key
// index is relisted once per HOT_CACHE_MS whatever the traffic: reported apart). BENCH_PARTNER=0 skips it.
//
// Environment: BENCH_SECONDS (per run, default 5), BENCH_ROUNDS (runs per cell, the median is kept;
// default 1), BENCH_CONNECTIONS (default 50), BENCH_ITEMS (default 10,50,500), BENCH_CASES (default
// "200 identity,200 gzip,304,HEAD,cursor"; `cursor` is the change cursor case below), BENCH_WARMUP_SECONDS (per server and case, default 1),
// BENCH_SKIP_BUILD=1 to reuse dist/serve.mjs, BENCH_SERVER_NODE_ARGS for Node flags of the server
// under test (e.g. "--cpu-prof --cpu-prof-dir=prof"; BENCH_BARE_NODE_ARGS likewise for the bare
// server), LOG_LEVEL for the server under test (default info, as in production),
// BENCH_DETAIL=1 to print every round's pair of runs (CPU per request, its user-space part, the ratio),
// BENCH_SERVER_ENTRY to measure another build of the entry (say, of another commit; implies no build),
// BENCH_TOGETHER=1 to load both servers at the same time instead of in turn, in every case, the
// archive's and the cursor's too (on a shared, busy machine: both then share its load alike; each
// server's CPU per request is still its own).
//
// Calibration: the bare server beside a copy of itself that spins BENCH_CALIBRATE_US (default 5)
// microseconds more per request, in the same rounds and mode as the cases, on the archive's bytes. A
// known difference in work, read by the same instrument, shows how far the instrument widens a gap:
// on a machine where waking the load generator costs the server that answers (a VM's interrupts),
// the slower of two servers pays that cost more often per request. BENCH_CALIBRATE_US=0 skips it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg, release, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Article } from '../src/domain/article.ts'
import { startEmbeddedS3 } from '../src/platform/embedded-s3.ts'
import { PartnerRegistry } from '../src/services/partner-registry.ts'
import { storeArticles } from '../src/services/seed.ts'
import { loadSamples, ROOT } from '../test/support/samples.ts'
import { storeFor } from '../test/support/s3.ts'
import { silkfeedEnv } from '../test/support/silkfeed-process.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1)
const SIZES = (process.env.BENCH_ITEMS ?? '10,50,500').split(',').map(Number)
const ALL_CASES = ['200 identity', '200 gzip', '304', 'HEAD'] as const
type Case = (typeof ALL_CASES)[number]
const CASES = ALL_CASES.filter((c) => (process.env.BENCH_CASES ?? ALL_CASES.join(',')).split(',').includes(c))
/**
 * The cursor case: `GET /ru/changes?cursor=…` at the end of the log (a poll with nothing new, no
 * wait), against the bare server answering the same bytes at the same URL.
 */
const CURSOR_CASE = (process.env.BENCH_CASES ?? 'cursor').split(',').includes('cursor')
const BUCKET = 'silkfeed-bench'
const LOCALE = 'ru'
const METRICS_TOKEN = 'bench-metrics-token-0123456789'
const PARTNER = process.env.BENCH_PARTNER !== '0'
// Both servers loaded at the same time (both on core 0, each by its own wrk on core 1): they share
// whatever else the machine runs, which on a busy machine disturbs the ratio less than taking turns.
const TOGETHER = process.env.BENCH_TOGETHER === '1'
const CALIBRATE_US = Number(process.env.BENCH_CALIBRATE_US ?? 5)
if (!(CALIBRATE_US >= 0)) {
  console.error(
    `BENCH_CALIBRATE_US=${process.env.BENCH_CALIBRATE_US}: give microseconds (0 skips the calibration)`,
  )
  process.exit(1)
}

/**
 * One round of a cell: Silkfeed's run and the bare server's, one after the other (Silkfeed first
 * when `oursFirst`), or with BENCH_TOGETHER=1 at the same time.
 */
async function pair<T>(
  ours: () => Promise<T>,
  theirs: () => Promise<T>,
  oursFirst: boolean,
): Promise<[T, T]> {
  if (TOGETHER) return Promise.all([ours(), theirs()])
  if (oursFirst) {
    const o = await ours()
    return [o, await theirs()]
  }
  const t = await theirs()
  return [await ours(), t]
}

/** How a round names its two servers (BENCH_DETAIL): the one measured, then its baseline. */
type Names = readonly [string, string]
const SERVERS: Names = ['Silkfeed', 'bare']

/** Rounds paired so far, in every cell: which server goes first alternates across them all. */
let pairedSoFar = 0

/**
 * A cell's BENCH_ROUNDS rounds, each a `pair` of the measured server's run and its baseline's
 * (Silkfeed's and the bare server's, or the calibration's two bare servers), the one that goes first
 * alternating so drift in the machine's load favours neither; BENCH_DETAIL prints each by `names`.
 */
async function pairedRounds(
  cell: string,
  ours: () => Promise<Run>,
  theirs: () => Promise<Run>,
  names: Names = SERVERS,
): Promise<{ ours: Run[]; theirs: Run[] }> {
  const runs = { ours: [] as Run[], theirs: [] as Run[] }
  for (let round = 0; round < ROUNDS; round++) {
    const [o, t] = await pair(ours, theirs, pairedSoFar++ % 2 === 0)
    runs.ours.push(o)
    runs.theirs.push(t)
    if (DETAIL) printRound(cell, round, o, t, names)
  }
  return runs
}
// The partner case's feed: the reference size when measured, else the nearest one.
const PARTNER_ITEMS = [...SIZES].sort((a, b) => Math.abs(a - 50) - Math.abs(b - 50))[0]!

interface Run {
  rps: number
  /** CPU time (user + system) the server spent per request: steadier than req/s on a busy machine. */
  cpuUsPerRequest: number
  /** The user-space part of it (the rest is the kernel's, for the sockets). */
  userUsPerRequest: number
  p50Us: number
  p99Us: number
  requests: number
  errors: number
}

/** Lines in a file, read in chunks: the request log of a long run outgrows the largest string. */
function countLines(path: string): number {
  const fd = openSync(path, 'r')
  const chunk = Buffer.alloc(1 << 20)
  let lines = 1
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      for (let at = chunk.indexOf(10); at >= 0 && at < read; at = chunk.indexOf(10, at + 1)) lines++
    }
  } finally {
    closeSync(fd)
  }
  return lines
}

// ---------------------------------------------------------------------------------------------------
// Tools and machine

function requireTool(command: string, args: string[], install: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  if (result.error) {
    console.error(`${command} is not installed: apt-get install ${install}`)
    process.exit(1)
  }
  return `${result.stdout}${result.stderr}`
}

const wrkVersion = /wrk\s+(\S+)/.exec(requireTool('wrk', ['--version'], 'wrk'))?.[1] ?? 'unknown'
requireTool('taskset', ['--version'], 'util-linux')
const PINNED = cpus().length >= 2
/** The server side (Silkfeed and the bare server) runs on core 0, the load generator on core 1. */
const pin = (core: number, argv: string[]): string[] =>
  PINNED ? ['taskset', '-c', String(core), ...argv] : argv

function spawnPinned(core: number, argv: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  const [command, ...args] = pin(core, argv)
  return spawn(command!, args, options)
}

// ---------------------------------------------------------------------------------------------------
// Storage: s3rver seeded with generated Russian stories, behind a proxy that counts requests

/** A seeded shuffle (mulberry32): the same stories on every run. */
function shuffler(seed: number): <T>(items: T[]) => T[] {
  let state = seed >>> 0
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return (items) => {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[out[i], out[j]] = [out[j]!, out[i]!]
    }
    return out
  }
}

/**
 * `count` Russian stories made from the samples, each with its words shuffled within every text run:
 * feeds as large as real full-text ones that gzip about as well as real text does (repeated copies of
 * six stories would compress 30-fold and flatter the gzip case).
 */
function generatedArticles(count: number): Article[] {
  const samples = loadSamples().filter((a) => a.locale === LOCALE)
  const newest = Date.parse('2026-06-01T12:00:00Z')
  return Array.from({ length: count }, (_, i) => {
    const { updatedAt: _updated, ...s } = samples[i % samples.length]!
    const shuffle = shuffler(i + 1)
    const words = (text: string) => shuffle(text.split(' ')).join(' ')
    return {
      ...s,
      id: `bench-${i}`,
      title: `${s.title} (${i})`,
      url: `${s.url}-${i}`,
      publishedAt: new Date(newest - i * 3_600_000).toISOString(),
      summary: s.summary && words(s.summary),
      contentHtml: s.contentHtml?.replace(/>([^<]+)</g, (_m, text: string) => `>${words(text)}<`),
    }
  })
}

interface CountingProxy {
  server: Server
  port: number
  /** Requests forwarded since the last reset, by kind (`list`: a listing, as of the partner key index or an archive's locale). */
  counts: { total: number; conditional: number; list: number }
  reset(): void
}

/** Forwards every request to s3rver and counts it; a GET with If-None-Match is a revalidation. */
function startCountingProxy(upstreamPort: number): Promise<CountingProxy> {
  const proxy: CountingProxy = {
    server: createServer((req, res) => {
      proxy.counts.total++
      if (req.method === 'GET' && req.headers['if-none-match']) proxy.counts.conditional++
      // Listings: archives follow the change log after HOT_CACHE_MS (their revalidation), partners the key index.
      if (req.method === 'GET' && req.url?.includes('list-type=')) proxy.counts.list++
      const upstream = httpRequest(
        { host: '127.0.0.1', port: upstreamPort, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
        },
      )
      upstream.on('error', () => res.writeHead(502).end())
      req.pipe(upstream)
    }),
    port: 0,
    counts: { total: 0, conditional: 0, list: 0 },
    reset: () => (proxy.counts = { total: 0, conditional: 0, list: 0 }),
  }
  return new Promise((resolve) =>
    proxy.server.listen(0, '127.0.0.1', () => {
      proxy.port = (proxy.server.address() as AddressInfo).port
      resolve(proxy)
    }),
  )
}

// ---------------------------------------------------------------------------------------------------
// The two servers

interface Silkfeed extends Target {
  child: ChildProcess
  logFile: string
  stop(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve()
      return
    }
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** `node dist/serve.mjs` on core 0, its JSON log lines going to a file (as to a log collector). */
async function startSilkfeed(directory: string, feedsDir: string, storagePort: number): Promise<Silkfeed> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const logFile = join(directory, 'silkfeed.log')
  const out = openSync(logFile, 'w')
  let stderr = ''
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const entry = process.env.BENCH_SERVER_ENTRY ?? join(ROOT, 'dist/serve.mjs')
  const child = spawnPinned(0, [process.execPath, ...extra, entry], {
    cwd: ROOT,
    env: silkfeedEnv({
      port,
      s3Endpoint: `http://127.0.0.1:${storagePort}`,
      bucket: BUCKET,
      secret: 'bench-webhook-secret-0123456789',
      extra: {
        METRICS_TOKEN,
        FEEDS_DIR: feedsDir,
        STORAGE_TIMEOUT_MS: '30000',
        // The default (info: one JSON line per request) unless the bench is run with another.
        ...(process.env.LOG_LEVEL ? { LOG_LEVEL: process.env.LOG_LEVEL } : {}),
      },
    }),
    stdio: ['ignore', out, 'pipe'],
  })
  closeSync(out)
  child.stderr!.on('data', (chunk) => (stderr += chunk))
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) console.error(`silkfeed exited with ${code}:\n${stderr}`)
  })
  // Not the "listening" log line: with LOG_LEVEL=warn there is none.
  let listening = false
  await waitFor('silkfeed to listen', () => {
    if (child.exitCode !== null) throw new Error(`silkfeed exited with ${child.exitCode}:\n${stderr}`)
    fetch(`${base}/healthz`).then(
      (res) => (listening ||= res.ok),
      () => {},
    )
    return listening || undefined
  })
  return { child, base, pid: child.pid!, logFile, stop: () => stopChild(child) }
}

interface Captured {
  status: number
  headers: Record<string, string>
  body?: string
}

/** One response of Silkfeed as the bare server will repeat it (node:http, not fetch: fetch would decompress). */
function grabOne(base: string, path: string, method: string, headers: Record<string, string>) {
  return new Promise<Captured>((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        const kept = Object.entries(res.headers).filter(
          ([name]) => !['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name),
        )
        resolve({
          status: res.statusCode ?? 0,
          headers: Object.fromEntries(kept.map(([n, v]) => [n, String(v)])),
          body: body.byteLength > 0 ? body.toString('base64') : undefined,
        })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

/** The four responses of one feed from Silkfeed, as the bare server will repeat them. */
async function capture(base: string, path: string) {
  const grab = (method: string, headers: Record<string, string>) => grabOne(base, path, method, headers)
  // As wrk asks: no Accept-Encoding but for the gzip case.
  const identity = await grab('GET', {})
  const gzip = await grab('GET', { 'accept-encoding': 'gzip' })
  const etag = identity.headers.etag!
  const notModified = await grab('GET', { 'if-none-match': etag })
  const head = await grab('HEAD', {})
  const problems = [
    identity.status !== 200 && `identity ${identity.status}`,
    identity.headers['content-encoding'] !== undefined && 'identity came content-coded',
    gzip.headers['content-encoding'] !== 'gzip' && 'gzip came without Content-Encoding: gzip',
    notModified.status !== 304 && `If-None-Match answered ${notModified.status}`,
    (head.status !== 200 || head.body !== undefined) && 'HEAD answered with a body or not 200',
  ].filter(Boolean)
  if (problems.length > 0) throw new Error(`${path}: ${problems.join('; ')}`)
  return {
    identity,
    gzip,
    notModified,
    head,
    etag,
    bytes: { identity: length(identity), gzip: length(gzip) },
  }
}

/** The newest archive of the feed nearest 50 items, from its current RSS feed's prev-archive link. */
async function newestArchive(base: string): Promise<string | undefined> {
  for (const items of [...SIZES].sort((a, b) => Math.abs(a - 50) - Math.abs(b - 50))) {
    const text = await (await fetch(`${base}/${LOCALE}/bench-${items}.rss`)).text()
    const href = /<atom:link href="([^"]+)" rel="prev-archive"/.exec(text)?.[1]
    if (href) return new URL(href).pathname
  }
  return undefined
}

const length = (c: Captured) => (c.body ? Buffer.from(c.body, 'base64').byteLength : 0)

/** The bare node:http baseline on core 0, holding the captured responses. */
/** A server under load: where to send requests, and which process to charge the CPU time to. */
interface Target {
  base: string
  pid: number
}

/** User and system CPU time of a process so far, in µs (Linux /proc). */
function cpuTimes(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ')
  // utime and stime are fields 14 and 15 of stat, in clock ticks of 1/100 s (USER_HZ on Linux).
  return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 }
}

/** A run's CPU per request from the server's CPU times before and after it. */
function perRequest(before: { user: number; system: number }, pid: number, requests: number) {
  const after = cpuTimes(pid)
  const n = Math.max(1, requests)
  const user = (after.user - before.user) / n
  return { cpuUsPerRequest: user + (after.system - before.system) / n, userUsPerRequest: user }
}

/** The bare server, answering `routes`; with `extraUs`, spinning that long before each answer. */
async function startBare(
  routes: Record<string, object>,
  extraUs = 0,
): Promise<Target & { stop(): Promise<void> }> {
  const bareArgs = (process.env.BENCH_BARE_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const child = spawnPinned(0, [process.execPath, ...bareArgs, join(ROOT, 'bench/bare-server.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BARE_EXTRA_US: String(extraUs) },
  })
  child.stdin!.write(`${JSON.stringify(routes)}\n`)
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line).port))
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)))
  })
  return { base: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child) }
}

// ---------------------------------------------------------------------------------------------------
// Load generation: wrk on core 1 (HEAD through bench/head-load.mjs where wrk cannot, see there)

function runProcess(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv
    const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (out += chunk))
    child.once('error', reject)
    child.once('exit', () => resolve(out))
  })
}

let scriptDir = ''
let scripts = 0

/**
 * A wrk script setting the method and headers, printing the summary as JSON when done; a file of its
 * own each time (two runs at once never read one being written).
 */
function wrkScript(name: string, method: string, headers: Record<string, string>): string {
  const path = join(scriptDir, `${name.replace(/\W+/g, '-')}-${++scripts}.lua`)
  const lua = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
  writeFileSync(
    path,
    [
      `wrk.method = ${lua(method)}`,
      ...Object.entries(headers).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`),
      'done = function(summary, latency, requests)',
      '  local e = summary.errors',
      '  io.write(string.format(\'BENCH {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,' +
        '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\\n\',',
      '    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),',
      '    e.connect, e.read, e.write, e.status, e.timeout))',
      'end',
      '',
    ].join('\n'),
  )
  return path
}

interface Summary {
  requests: number
  durationUs: number
  p50Us: number
  p99Us: number
  errors: Record<string, number>
}

function toRun(summary: Summary): Omit<Run, 'cpuUsPerRequest' | 'userUsPerRequest'> {
  const errors = Object.values(summary.errors).reduce((a, b) => a + b, 0)
  return {
    rps: summary.requests / (summary.durationUs / 1e6),
    p50Us: summary.p50Us,
    p99Us: summary.p99Us,
    requests: summary.requests,
    errors,
  }
}

async function wrk(url: string, script: string, seconds: number) {
  const out = await runProcess(
    pin(1, [
      'wrk',
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${Math.max(1, Math.round(seconds))}s`,
      '--latency',
      '-s',
      script,
      url,
    ]),
  )
  const json = /^BENCH (\{.*\})$/m.exec(out)?.[1]
  if (!json) throw new Error(`wrk printed no summary:\n${out}`)
  return toRun(JSON.parse(json) as Summary)
}

async function headLoad(url: string, seconds: number) {
  const out = await runProcess(
    pin(1, [process.execPath, join(ROOT, 'bench/head-load.mjs'), url, String(CONNECTIONS), String(seconds)]),
  )
  return toRun(JSON.parse(out.trim().split('\n').at(-1)!) as Summary)
}

/** Whether this wrk completes HEAD requests answered with a Content-Length (4.1 does not). */
async function wrkHandlesHead(url: string): Promise<boolean> {
  const script = wrkScript('head-probe', 'HEAD', {})
  const out = await runProcess(pin(1, ['timeout', '5', 'wrk', '-t1', '-c1', '-d1s', '-s', script, url]))
  const json = /^BENCH (\{.*\})$/m.exec(out)?.[1]
  return json !== undefined && (JSON.parse(json) as Summary).requests > 0
}

// ---------------------------------------------------------------------------------------------------
// Metrics of the server under test

async function scrape(base: string): Promise<Map<string, number>> {
  const text = await (
    await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text()
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\S+)$/.exec(line)
    if (m) values.set(m[1]!, Number(m[2]))
  }
  return values
}

const sumMatching = (values: Map<string, number>, pattern: RegExp) =>
  [...values].filter(([k]) => pattern.test(k)).reduce((n, [, v]) => n + v, 0)

// ---------------------------------------------------------------------------------------------------
// The run

/** BENCH_DETAIL=1: every round's pair of runs on stderr, besides the medians of the table. */
const DETAIL = process.env.BENCH_DETAIL === '1'
const cpuText = (run: Run) =>
  `${run.cpuUsPerRequest.toFixed(1)} µs/req (user ${run.userUsPerRequest.toFixed(1)})`
function printRound(cell: string, round: number, ours: Run, theirs: Run, [a, b]: Names): void {
  console.error(
    `  round ${round + 1} (${cell}): ${a} ${k(ours.rps)} req/s, ${cpuText(ours)}; ` +
      `${b} ${k(theirs.rps)} req/s, ${cpuText(theirs)}; ` +
      `${b} / ${a} CPU ${(theirs.cpuUsPerRequest / ours.cpuUsPerRequest).toFixed(2)}x`,
  )
}
const median = (runs: Run[]): Run => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!
const ms = (us: number) => (us / 1000).toFixed(2)
const k = (rps: number) => rps.toFixed(0)

const directory = mkdtempSync(join(tmpdir(), 'silkfeed-bench-serve-'))
scriptDir = join(directory, 'wrk')
mkdirSync(scriptDir)
const feedsDir = join(directory, 'feeds')
mkdirSync(feedsDir)
for (const items of SIZES) {
  const definition = {
    id: `bench-${items}`,
    sections: 'all',
    locales: [LOCALE],
    limit: items,
    cache: { maxAge: 300, staleWhileRevalidate: 600, staleIfError: 86400 },
  }
  writeFileSync(join(feedsDir, `bench-${items}.json`), JSON.stringify(definition))
}

const stops: (() => Promise<unknown>)[] = []
try {
  if (process.env.BENCH_SKIP_BUILD !== '1' && !process.env.BENCH_SERVER_ENTRY) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' })
    if (build.status !== 0) throw new Error('npm run build failed')
  }
  const s3 = await startEmbeddedS3({ directory: join(directory, 's3'), buckets: [BUCKET] })
  stops.push(() => s3.stop())
  const seeded = storeFor(s3.endpoint, BUCKET, 60_000)
  // 20 stories more than the largest feed holds: every feed then has an archive (the archive case).
  await storeArticles(seeded, generatedArticles(Math.max(...SIZES) + 20))
  // The partner, made in the bucket as the admin API makes one; the most requests a quota allows.
  const partnerKey = PARTNER
    ? (
        await new PartnerRegistry(seeded, {
          now: Date.now,
          freshMs: 0,
          randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
        }).create({
          name: 'Bench partner',
          feeds: [`bench-${PARTNER_ITEMS}`],
          locales: [LOCALE],
          fullText: true,
          embargoed: false,
          quota: 1_000_000,
        })
      ).key
    : undefined
  const partnerPath = `/p/${partnerKey}/${LOCALE}/bench-${PARTNER_ITEMS}.rss`
  const proxy = await startCountingProxy(s3.port)
  stops.push(() => new Promise((r) => proxy.server.close(r)))
  const silkfeed = await startSilkfeed(directory, feedsDir, proxy.port)
  stops.push(() => silkfeed.stop())

  const feeds = new Map<number, Awaited<ReturnType<typeof capture>>>()
  for (const items of SIZES) feeds.set(items, await capture(silkfeed.base, `/${LOCALE}/bench-${items}.rss`))
  // The change cursor at the end of the log: every poll of it finds nothing new.
  let cursorPath = `/${LOCALE}/changes`
  for (;;) {
    const page = (await (await fetch(silkfeed.base + cursorPath)).json()) as {
      changes: unknown[]
      next_cursor: string
      more: boolean
    }
    cursorPath = `/${LOCALE}/changes?cursor=${page.next_cursor}`
    if (page.changes.length === 0 && !page.more) break
  }
  const polled = CURSOR_CASE ? await grabOne(silkfeed.base, cursorPath, 'GET', {}) : undefined
  // The archive case: the newest archive of the smallest feed that has one (its current feed's prev-archive).
  const archivePath = await newestArchive(silkfeed.base)
  const archive = archivePath === undefined ? undefined : await capture(silkfeed.base, archivePath)
  const bareRoutes = {
    ...Object.fromEntries(
      [...feeds].map(([items, f]) => [
        `/${LOCALE}/bench-${items}.rss`,
        { identity: f.identity, gzip: f.gzip, notModified: f.notModified, head: f.head },
      ]),
    ),
    ...(archive &&
      archivePath && {
        [archivePath]: {
          identity: archive.identity,
          gzip: archive.gzip,
          notModified: archive.notModified,
          head: archive.head,
        },
      }),
    ...(polled && { [cursorPath]: { identity: polled, gzip: polled, notModified: polled, head: polled } }),
  }
  const bare = await startBare(bareRoutes)
  stops.push(() => bare.stop())
  const headViaWrk = await wrkHandlesHead(`${bare.base}/${LOCALE}/bench-${SIZES[0]}.rss`)

  const load = (url: string, items: number, which: Case, seconds: number) => {
    switch (which) {
      case '200 identity':
        return wrk(url, wrkScript(which, 'GET', {}), seconds)
      case '200 gzip':
        return wrk(url, wrkScript(which, 'GET', { 'Accept-Encoding': 'gzip' }), seconds)
      case '304':
        return wrk(
          url,
          wrkScript(`${which}-${items}`, 'GET', { 'If-None-Match': feeds.get(items)!.etag }),
          seconds,
        )
      case 'HEAD':
        return headViaWrk ? wrk(url, wrkScript(which, 'HEAD', {}), seconds) : headLoad(url, seconds)
    }
  }
  const measure = async (
    target: Target,
    items: number,
    which: Case,
    seconds: number,
    path = `/${LOCALE}/bench-${items}.rss`,
  ): Promise<Run> => {
    const cpuBefore = cpuTimes(target.pid)
    const run = await load(`${target.base}${path}`, items, which, seconds)
    return { ...run, ...perRequest(cpuBefore, target.pid, run.requests) }
  }

  /** A 200 (identity) of `path` from two servers, each warmed up first, in paired rounds. */
  const hotPairs = async (cell: string, ours: Target, theirs: Target, path: string, names?: Names) => {
    await measure(ours, 0, '200 identity', WARMUP_SECONDS, path)
    await measure(theirs, 0, '200 identity', WARMUP_SECONDS, path)
    return pairedRounds(
      cell,
      () => measure(ours, 0, '200 identity', SECONDS, path),
      () => measure(theirs, 0, '200 identity', SECONDS, path),
      names,
    )
  }

  console.log(`# npm run bench:serve — ${new Date().toISOString()}`)
  console.log(
    `# ${cpus().length} × ${cpus()[0]?.model}, Linux ${release()}, node ${process.version}, wrk ${wrkVersion}` +
      (headViaWrk ? '' : ' (HEAD: bench/head-load.mjs, as wrk 4.1 waits for a HEAD body)'),
  )
  console.log(
    `# ${PINNED ? 'servers pinned to core 0, load generator to core 1' : 'one core: NOT pinned, figures are not comparable'}; ` +
      (TOGETHER ? 'both servers loaded at the same time (BENCH_TOGETHER=1); ' : '') +
      `${CONNECTIONS} connections, ${SECONDS} s per run, median of ${ROUNDS}; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  )

  // Warm both servers up (JIT, the hot cache) on every case before measuring.
  for (const which of CASES) {
    await measure(silkfeed, SIZES[0]!, which, WARMUP_SECONDS)
    await measure(bare, SIZES[0]!, which, WARMUP_SECONDS)
  }
  if (PARTNER) await measure(silkfeed, PARTNER_ITEMS, '200 identity', WARMUP_SECONDS, partnerPath)
  for (const items of SIZES) await fetch(`${silkfeed.base}/${LOCALE}/bench-${items}.rss`)

  const before = await scrape(silkfeed.base)
  const logLinesBefore = countLines(silkfeed.logFile)
  proxy.reset()
  let silkfeedRequests = 0
  const results: { items: number; which: Case; silkfeed: Run; bare: Run }[] = []
  for (const items of SIZES) {
    for (const which of CASES) {
      const { ours, theirs } = await pairedRounds(
        `${items} items, ${which}`,
        () => measure(silkfeed, items, which, SECONDS),
        () => measure(bare, items, which, SECONDS),
      )
      silkfeedRequests += ours.reduce((n, r) => n + r.requests, 0)
      results.push({ items, which, silkfeed: median(ours), bare: median(theirs) })
    }
  }
  // The archive: a hot 200 (identity) beside the bare server serving the same bytes.
  let archiveResult: { silkfeed: Run; bare: Run } | undefined
  let archiveRequests = 0
  if (archive && archivePath) {
    const { ours, theirs } = await hotPairs('archive', silkfeed, bare, archivePath)
    archiveRequests = ours.reduce((n, r) => n + r.requests, 0)
    silkfeedRequests += archiveRequests
    archiveResult = { silkfeed: median(ours), bare: median(theirs) }
  }
  // The partner case: keyed and public URL of the same feed, alternating, in the same rounds.
  const partnerRuns: Run[] = []
  const publicRuns: Run[] = []
  const storageBeforePartner = { ...proxy.counts }
  for (let round = 0; PARTNER && round < ROUNDS; round++) {
    const keyedFirst = round % 2 === 0
    if (!keyedFirst) publicRuns.push(await measure(silkfeed, PARTNER_ITEMS, '200 identity', SECONDS))
    partnerRuns.push(await measure(silkfeed, PARTNER_ITEMS, '200 identity', SECONDS, partnerPath))
    if (keyedFirst) publicRuns.push(await measure(silkfeed, PARTNER_ITEMS, '200 identity', SECONDS))
  }
  silkfeedRequests += [...partnerRuns, ...publicRuns].reduce((n, r) => n + r.requests, 0)
  const storage = { ...proxy.counts }
  const after = await scrape(silkfeed.base)
  const delta = (pattern: RegExp) => sumMatching(after, pattern) - sumMatching(before, pattern)
  const hits = delta(/^silkfeed_feed_cache_total\{outcome="hit"\}$/)
  const revalidated = delta(/^silkfeed_feed_cache_total\{outcome="revalidated"\}$/)
  // "stale": answered from memory while the revalidation (counted below) was in flight.
  const stale = delta(/^silkfeed_feed_cache_total\{outcome="stale"\}$/)
  const otherReads = delta(/^silkfeed_feed_cache_total\{outcome="(miss|rendered)"\}$/)
  const logLines = countLines(silkfeed.logFile) - logLinesBefore

  const bytes = (items: number, which: Case) =>
    which === '200 gzip'
      ? feeds.get(items)!.bytes.gzip
      : which.startsWith('200')
        ? feeds.get(items)!.bytes.identity
        : 0
  console.log(
    '\n| items | case | body bytes | Silkfeed req/s | p50 ms | p99 ms | CPU µs/req | bare node:http req/s | p50 ms | p99 ms | CPU µs/req | Silkfeed / bare req/s | bare / Silkfeed CPU |',
  )
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const r of results) {
    const s = r.silkfeed
    const b = r.bare
    const flag = s.errors + b.errors > 0 ? ` (errors: ${s.errors} / ${b.errors})` : ''
    console.log(
      `| ${r.items} | ${r.which} | ${bytes(r.items, r.which)} | ${k(s.rps)} | ${ms(s.p50Us)} | ${ms(s.p99Us)} | ${s.cpuUsPerRequest.toFixed(1)} | ` +
        `${k(b.rps)} | ${ms(b.p50Us)} | ${ms(b.p99Us)} | ${b.cpuUsPerRequest.toFixed(1)} | ${(s.rps / b.rps).toFixed(2)}x${flag} | ` +
        `${(b.cpuUsPerRequest / s.cpuUsPerRequest).toFixed(2)}x |`,
    )
  }

  if (archiveResult && archive) {
    const s = archiveResult.silkfeed
    const b = archiveResult.bare
    console.log(
      `| archive ${archivePath} | 200 identity | ${archive.bytes.identity} | ${k(s.rps)} | ${ms(s.p50Us)} | ${ms(s.p99Us)} | ${s.cpuUsPerRequest.toFixed(1)} | ` +
        `${k(b.rps)} | ${ms(b.p50Us)} | ${ms(b.p99Us)} | ${b.cpuUsPerRequest.toFixed(1)} | ${(s.rps / b.rps).toFixed(2)}x | ` +
        `${(b.cpuUsPerRequest / s.cpuUsPerRequest).toFixed(2)}x |`,
    )
  }

  const cell = (items: number, which: Case) => results.find((r) => r.items === items && r.which === which)
  const ratio = (a: Run | undefined, b: Run | undefined) => (a && b ? a.rps / b.rps : undefined)
  const show = (label: string, value: number | undefined, target: number, judged: boolean) => {
    if (value === undefined) return
    const verdict = judged ? (value >= target ? 'PASS' : 'FAIL') : 'info'
    console.log(`  ${verdict.padEnd(4)}  ${label}: ${value.toFixed(2)}x (target ${target.toFixed(2)}x)`)
  }
  console.log(
    "\nTargets (at 50 items, the issue's reference feed, and CPU per request at 10; other sizes for information):",
  )
  for (const items of SIZES) {
    const identity = cell(items, '200 identity')
    const judged = items === 50
    show(`${items} items: hot 200 vs the bare server`, ratio(identity?.silkfeed, identity?.bare), 0.8, judged)
    show(
      `${items} items: 304 vs the bare server's 200`,
      ratio(cell(items, '304')?.silkfeed, identity?.bare),
      1.0,
      judged,
    )
    show(
      `${items} items: gzip 200 vs the identity 200`,
      ratio(cell(items, '200 gzip')?.silkfeed, identity?.silkfeed),
      0.8,
      judged,
    )
  }
  // The fixed cost per request, where it shows (small answers): CPU time per request, which a busy
  // machine disturbs far less than req/s, against the bare server's for the same answer.
  const cpuRatio = (items: number, which: Case) => {
    const c = cell(items, which)
    return c && c.bare.cpuUsPerRequest / c.silkfeed.cpuUsPerRequest
  }
  for (const items of SIZES) {
    for (const which of ['304', 'HEAD'] as const) {
      show(
        `${items} items: ${which} CPU per request, bare / Silkfeed`,
        cpuRatio(items, which),
        0.85,
        items === 10,
      )
    }
  }
  if (archiveResult) {
    show('archive: hot 200 vs the bare server', ratio(archiveResult.silkfeed, archiveResult.bare), 0.8, true)
  }
  // Storage during the hot runs, counted at the proxy in front of s3rver: a hit makes no request; a
  // feed older than HOT_CACHE_MS (default 2000) is revalidated with one conditional GET, shared by
  // the requests that arrive meanwhile (they count as "revalidated", not as hits).
  const byHits = storage.total - storage.conditional - storage.list
  console.log(
    `  ${byHits === 0 && otherReads === 0 ? 'PASS' : 'FAIL'}  0 storage requests per hot hit: ${byHits} ` +
      `storage requests besides revalidation, for ${hits} feed hits and ${archiveRequests} archive requests (${storage.total} storage requests in all during ` +
      `${silkfeedRequests} requests: ${storage.conditional} conditional GETs revalidating after HOT_CACHE_MS, ` +
      `which ${revalidated} requests shared, ${stale} requests answered from memory meanwhile; ${otherReads} misses; ` +
      `${storage.list} listings (of the change log, as archives revalidate after HOT_CACHE_MS, or of the key index), beside the requests)`,
  )
  if (PARTNER) {
    const keyed = median(partnerRuns)
    const open = median(publicRuns)
    console.log(
      `\nPartner case (${PARTNER_ITEMS} items, 200 identity, median of ${ROUNDS}): keyed ${k(keyed.rps)} req/s ` +
        `(p50 ${ms(keyed.p50Us)} ms, p99 ${ms(keyed.p99Us)} ms, CPU ${keyed.cpuUsPerRequest.toFixed(1)} µs/req, ` +
        `errors ${keyed.errors}), public ${k(open.rps)} req/s (p50 ${ms(open.p50Us)} ms, p99 ${ms(open.p99Us)} ms, ` +
        `CPU ${open.cpuUsPerRequest.toFixed(1)} µs/req, errors ${open.errors})`,
    )
    show(`${PARTNER_ITEMS} items: hot partner 200 vs the public hot 200`, keyed.rps / open.rps, 0.9, true)
    if (keyed.errors > 0) console.log(`  FAIL  the keyed runs had ${keyed.errors} errors (a 429 is one)`)
    const during = (kind: keyof typeof storage) => storage[kind] - storageBeforePartner[kind]
    const partnerHitRequests = during('total') - during('conditional') - during('list')
    const requests = partnerRuns.reduce((n, r) => n + r.requests, 0)
    console.log(
      `  ${partnerHitRequests === 0 ? 'PASS' : 'FAIL'}  0 storage requests per hot partner hit: ${partnerHitRequests} ` +
        `besides revalidation during the partner runs (${requests} keyed requests; ${during('list')} listings of ` +
        `the key index, once per HOT_CACHE_MS, and ${during('conditional')} conditional GETs revalidating the feed)`,
    )
  }
  console.log(
    `\nRequest log: ${logLines} JSON lines for the ${silkfeedRequests} requests wrk counted ` +
      `(a few more: requests still in flight when a run ends are answered and logged, not counted).`,
  )
  if (polled) {
    // The cursor case: each server polled at the same URL; storage counted at the proxy meanwhile.
    const script = wrkScript('cursor', 'GET', {})
    const poll = async (target: Target, seconds: number): Promise<Run> => {
      const cpuBefore = cpuTimes(target.pid)
      const run = await wrk(`${target.base}${cursorPath}`, script, seconds)
      return { ...run, ...perRequest(cpuBefore, target.pid, run.requests) }
    }
    await poll(silkfeed, WARMUP_SECONDS)
    await poll(bare, WARMUP_SECONDS)
    proxy.reset()
    const { ours, theirs } = await pairedRounds(
      'cursor',
      () => poll(silkfeed, SECONDS),
      () => poll(bare, SECONDS),
    )
    const listed = proxy.counts.total
    const polls = ours.reduce((n, r) => n + r.requests, 0)
    const [s, b] = [median(ours), median(theirs)]
    const bodyBytes = length(polled)
    console.log(
      `\n| case | body bytes | Silkfeed req/s | p50 ms | p99 ms | CPU µs/req | bare node:http req/s | p50 ms | p99 ms | CPU µs/req | Silkfeed / bare req/s |`,
    )
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    console.log(
      `| cursor poll, nothing new | ${bodyBytes} | ${k(s.rps)} | ${ms(s.p50Us)} | ${ms(s.p99Us)} | ${s.cpuUsPerRequest.toFixed(1)} | ` +
        `${k(b.rps)} | ${ms(b.p50Us)} | ${ms(b.p99Us)} | ${b.cpuUsPerRequest.toFixed(1)} | ${(s.rps / b.rps).toFixed(2)}x |`,
    )
    show('cursor poll with nothing new vs the bare server', s.rps / b.rps, 0.8, true)
    // A hot poll answers from memory; the process lists the log again at most once per
    // min(1 s, HOT_CACHE_MS) (other instances' entries), shared by every poll meanwhile.
    const seconds = SECONDS * ROUNDS
    console.log(
      `  ${listed <= seconds + ROUNDS ? 'PASS' : 'FAIL'}  cursor: ${listed} storage requests for ${polls} polls ` +
        `in ${seconds} s (${(listed / Math.max(1, polls)).toFixed(5)} per poll: only the periodic relist, at most one ` +
        `per min(1 s, HOT_CACHE_MS))`,
    )
  }
  if (CALIBRATE_US > 0) {
    // The calibration: the bare server against its copy doing CALIBRATE_US more per request.
    const slower = await startBare(bareRoutes, CALIBRATE_US)
    stops.push(() => slower.stop())
    const path = archivePath ?? `/${LOCALE}/bench-${SIZES[0]}.rss`
    const { ours, theirs } = await hotPairs('calibration', slower, bare, path, [
      `bare + ${CALIBRATE_US} µs`,
      'bare',
    ])
    const [s, b] = [median(ours), median(theirs)]
    const measuredUs = s.cpuUsPerRequest - b.cpuUsPerRequest
    // What the ratio would be if the instrument read each server's own work: the bare server's CPU
    // per request against it plus the work added.
    const faithful = b.cpuUsPerRequest / (b.cpuUsPerRequest + CALIBRATE_US)
    console.log(
      `\nCalibration (${path}, 200 identity, median of ${ROUNDS}): the bare server beside a copy of itself ` +
        `spinning ${CALIBRATE_US} µs more per request reads as ${(s.rps / b.rps).toFixed(2)}x ` +
        `(${k(s.rps)} / ${k(b.rps)} req/s), ${measuredUs.toFixed(1)} µs more CPU per request ` +
        `(${(measuredUs / CALIBRATE_US).toFixed(2)} times the work added; ${s.cpuUsPerRequest.toFixed(1)} against ` +
        `${b.cpuUsPerRequest.toFixed(1)} µs). Read faithfully, the ratio would be about ${faithful.toFixed(2)}x.`,
    )
  }
  console.log(
    `# load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  )
} finally {
  for (const stop of stops.reverse()) await stop()
  rmSync(directory, { recursive: true, force: true })
}
