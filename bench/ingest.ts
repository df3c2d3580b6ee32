// `npm run bench:ingest`: a newsroom loading its archive. BENCH_STORIES stories (default 20,000), each
// in the four editorial locales (zh, ru, kk, uz; the three script variants derived at ingest), are
// sent in signed webhooks of BENCH_BATCH records each (default 1000, the documented per-request
// maximum) to the real Node server (`node dist/serve.mjs`, the production build, default settings)
// over HTTP, against the embedded store (s3rver, crash-safe, in a fresh temp folder). Every batch
// must get its 200; the bench stops at the first that does not.
//
// It prints stories per second, the last batch's time over the first's (target <= 1.2x: the cost of a
// batch does not grow with the store) and the ratio to the floor (target <= 2x). The floor is
// measured in the same run after each batch: PUTs of the same record bytes (every record the batch
// stored, derived variants included) with the server's storage concurrency, into another bucket of
// the same s3rver.
//
// One uncounted webhook of 25 other stories comes first (the JIT's warm-up).
//
// Each logged batch also shows the CPU seconds it cost the server and the store, and the floor's its
// client and the store (Linux only), to tell whether storage or the server bounds a batch.
//
// SIGINT or SIGTERM stops it after the batch under way and prints the summary of the batches done.
//
// Environment: BENCH_STORIES, BENCH_BATCH, BENCH_SKIP_BUILD=1 to reuse dist/serve.mjs, LOG_LEVEL for
// the server (default info), BENCH_SERVER_NODE_ARGS for Node flags of the server (e.g. `--cpu-prof`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Article } from '../src/domain/article.ts'
import { expandRecords } from '../src/domain/derive.ts'
import { signBody } from '../src/http/signature.ts'
import { startEmbeddedS3 } from '../src/platform/embedded-s3.ts'
import { EMBEDDED_STORAGE_CONCURRENCY } from '../src/platform/embedded-store.ts'
import { LimitedObjectStore, StorageLimiter } from '../src/storage/limited-object-store.ts'
import { loadSamples, ROOT } from '../test/support/samples.ts'
import { storeFor } from '../test/support/s3.ts'
import { silkfeedEnv } from '../test/support/silkfeed-process.ts'

const STORIES = Number(process.env.BENCH_STORIES ?? 20_000)
const BATCH = Number(process.env.BENCH_BATCH ?? 1000)
const LOCALES = ['zh', 'ru', 'kk', 'uz'] as const
const BUCKET = 'silkfeed-ingest'
const FLOOR_BUCKET = 'silkfeed-floor'
const SECRET = 'bench-ingest-secret-0123456789abcdef'
/** The server's storage concurrency against the embedded store, as `npm start` sets it; the floor's too. */
const CONCURRENCY = EMBEDDED_STORAGE_CONCURRENCY
const encoder = new TextEncoder()

/** Story `n` in one locale: a sample record of that locale under a new id, published a minute apart. */
function recordOf(n: number, locale: (typeof LOCALES)[number], samples: Article[]): Article {
  const ofLocale = samples.filter((s) => s.locale === locale)
  const base = ofLocale[n % ofLocale.length]!
  const publishedAt = new Date(Date.parse('2020-01-01T00:00:00Z') + n * 60_000).toISOString()
  return {
    ...base,
    id: `archive-${String(n).padStart(6, '0')}`,
    title: `${base.title} · ${n}`,
    publishedAt,
    updatedAt: publishedAt,
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

async function startSilkfeed(
  storageEndpoint: string,
  logFile: string,
): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/serve.mjs')], {
    cwd: ROOT,
    env: silkfeedEnv({
      port,
      s3Endpoint: storageEndpoint,
      bucket: BUCKET,
      secret: SECRET,
      extra: {
        S3_FORCE_PATH_STYLE: 'true',
        STORAGE_CONCURRENCY: String(CONCURRENCY),
        // 1000 full-text records are a few MB; the record count is the documented limit here.
        WEBHOOK_MAX_BYTES: String(16 * 1024 * 1024),
        ...(process.env.LOG_LEVEL ? { LOG_LEVEL: process.env.LOG_LEVEL } : {}),
      },
    }),
    stdio: ['ignore', openSync(logFile, 'w'), 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk) => (stderr += chunk))
  for (const until = Date.now() + 30_000; ;) {
    if (child.exitCode !== null) throw new Error(`silkfeed exited with ${child.exitCode}:\n${stderr}`)
    const ok = await fetch(`${base}/healthz`).then(
      (res) => res.ok,
      () => false,
    )
    if (ok) return { base, child }
    if (Date.now() > until) throw new Error(`silkfeed did not start:\n${stderr}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function postBatch(
  base: string,
  records: Article[],
): Promise<{ status: number; ms: number; body: string }> {
  const body = encoder.encode(JSON.stringify({ upsert: records }))
  const started = performance.now()
  const res = await fetch(`${base}/webhooks/republish`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'silkfeed-signature': await signBody(body, SECRET, Date.now() / 1000),
    },
    body,
  })
  const text = await res.text()
  return { status: res.status, ms: performance.now() - started, body: text }
}

/** Storage requests the server made so far, by operation: count and seconds (from its /metrics). */
async function storageTotals(base: string): Promise<Map<string, { count: number; seconds: number }>> {
  const text = await (await fetch(`${base}/metrics`)).text()
  const totals = new Map<string, { count: number; seconds: number }>()
  for (const match of text.matchAll(
    /^silkfeed_storage_request_seconds_(sum|count)\{op="(\w+)",outcome="\w+"\} (\S+)$/gm,
  )) {
    const total = totals.get(match[2]!) ?? { count: 0, seconds: 0 }
    if (match[1] === 'sum') total.seconds += Number(match[3])
    else total.count += Number(match[3])
    totals.set(match[2]!, total)
  }
  return totals
}

function describeStorage(
  before: Map<string, { count: number; seconds: number }>,
  after: typeof before,
): string {
  return [...after]
    .map(([op, { count, seconds }]) => {
      const was = before.get(op) ?? { count: 0, seconds: 0 }
      return `${op} ${count - was.count} (${(seconds - was.seconds).toFixed(1)} s summed)`
    })
    .join(', ')
}

/** CPU seconds a process has used so far (Linux: /proc; NaN elsewhere), to tell where a batch's time goes. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks of 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return NaN
  }
}

/** A process's resident memory in MB (VmRSS in /proc), or NaN where there is no /proc. */
function residentMb(pid: number | undefined): number {
  try {
    const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return line ? Number(line[1]) / 1024 : NaN
  } catch {
    return NaN
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

if (process.env.BENCH_SKIP_BUILD !== '1') {
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}

const directory = mkdtempSync(join(tmpdir(), 'silkfeed-ingest-'))
const s3 = await startEmbeddedS3({ directory: join(directory, 's3'), buckets: [BUCKET, FLOOR_BUCKET] })
const logFile = join(directory, 'silkfeed.log')
const silkfeed = await startSilkfeed(s3.endpoint, logFile)
const floorStore = new LimitedObjectStore(
  storeFor(s3.endpoint, FLOOR_BUCKET),
  new StorageLimiter(CONCURRENCY),
)

const samples = loadSamples()
const records = Array.from({ length: STORIES }, (_, n) =>
  LOCALES.map((locale) => recordOf(n, locale, samples)),
).flat()
const batches: Article[][] = []
for (let i = 0; i < records.length; i += BATCH) batches.push(records.slice(i, i + BATCH))

console.log(
  `bench:ingest: ${STORIES} stories in ${LOCALES.length} locales = ${records.length} records, ` +
    `${batches.length} webhooks of up to ${BATCH} records (script variants derived at ingest)`,
)
console.log(
  `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, load ${loadavg()[0]!.toFixed(2)}`,
)

// A first, uncounted webhook of other stories, so the first measured batch is not also the JIT's warm-up.
const warmUp = await postBatch(
  silkfeed.base,
  Array.from({ length: 25 }, (_, n) =>
    LOCALES.map((locale) => recordOf(STORIES + n, locale, samples)),
  ).flat(),
)
if (warmUp.status !== 200)
  throw new Error(`the warm-up webhook got ${warmUp.status}: ${warmUp.body.slice(0, 2000)}`)

const times: number[] = []
const floors: number[] = []
let failed = false
// SIGINT or SIGTERM ends the run after the batch under way, with the summary of the batches done.
const stop = { requested: false }
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    stop.requested = true
    console.log(`${signal}: stopping after the batch under way`)
  })
const wall = performance.now()
try {
  for (const [i, batch] of batches.entries()) {
    if (stop.requested) break
    const before = await storageTotals(silkfeed.base)
    const [serverCpu, storeCpu] = [cpuSeconds(silkfeed.child.pid), cpuSeconds(s3.process.pid)]
    const result = await postBatch(silkfeed.base, batch)
    const cpu =
      `CPU: server ${(cpuSeconds(silkfeed.child.pid) - serverCpu).toFixed(1)} s, store ${(cpuSeconds(s3.process.pid) - storeCpu).toFixed(1)} s; ` +
      `server resident ${residentMb(silkfeed.child.pid).toFixed(0)} MB`
    if (result.status !== 200) {
      console.error(
        `batch ${i + 1}: ${result.status} after ${(result.ms / 1000).toFixed(1)} s\n${result.body.slice(0, 2000)}`,
      )
      failed = true
      break
    }
    times.push(result.ms)
    // The floor: the same record bytes (derived variants included), PUT with the same concurrency.
    const stored = expandRecords(batch)
    const [benchCpu, floorStoreCpu] = [process.cpuUsage(), cpuSeconds(s3.process.pid)]
    const started = performance.now()
    await Promise.all(
      stored.map((record, k) =>
        floorStore.put(`${i}/${k}.json`, encoder.encode(JSON.stringify(record)), {
          contentType: 'application/json',
        }),
      ),
    )
    floors.push(performance.now() - started)
    const { user, system } = process.cpuUsage(benchCpu)
    const floorCpu = `CPU: client ${((user + system) / 1e6).toFixed(1)} s, store ${(cpuSeconds(s3.process.pid) - floorStoreCpu).toFixed(1)} s`
    // Every tenth batch, and any batch 1.5x slower than the median so far (to see where a sum goes).
    const slow = times.length > 4 && result.ms > 1.5 * median(times)
    if (i === 0 || (i + 1) % 10 === 0 || i === batches.length - 1 || slow) {
      console.log(
        `batch ${String(i + 1).padStart(3)}/${batches.length}${slow ? ' (slow)' : ''}: 200 in ${(result.ms / 1000).toFixed(2)} s ` +
          `(${cpu}; ${stored.length} records stored; floor ${(floors.at(-1)! / 1000).toFixed(2)} s, ${floorCpu}), ` +
          `${((i + 1) * BATCH) / LOCALES.length} stories in the store; ` +
          `storage requests: ${describeStorage(before, await storageTotals(silkfeed.base))}`,
      )
    }
  }
} finally {
  const elapsed = (performance.now() - wall) / 1000
  silkfeed.child.kill('SIGTERM')
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
  if (times.length > 0) {
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)
    const ingestSeconds = sum(times) / 1000
    const storiesIngested = (times.length * BATCH) / LOCALES.length
    const tail = Math.min(5, times.length)
    console.log('')
    console.log(
      `batches answered 200: ${times.length}/${batches.length}${stop.requested ? ' (stopped by a signal)' : ''}`,
    )
    console.log(
      `stories per second: ${(storiesIngested / ingestSeconds).toFixed(0)} ` +
        `(${storiesIngested} stories in ${ingestSeconds.toFixed(1)} s of webhooks; ${elapsed.toFixed(1)} s with the floor)`,
    )
    console.log(
      `last batch / first batch: ${(times.at(-1)! / times[0]!).toFixed(2)}x (target <= 1.2x); ` +
        `median of the last ${tail} / median of the first ${tail}: ` +
        `${(median(times.slice(-tail)) / median(times.slice(0, tail))).toFixed(2)}x`,
    )
    console.log(
      `webhooks / floor: ${(sum(times) / sum(floors)).toFixed(2)}x (target <= 2x); ` +
        `median batch ${(median(times) / 1000).toFixed(2)} s, median floor ${(median(floors) / 1000).toFixed(2)} s`,
    )
  }
  if (failed) process.exitCode = 1
}
