// `npm run chaos`: the campaign of issue 15 against real processes on loopback, within 5 minutes on
// a 2-core machine by default. The production entry (bundled once, like `npm run build`) runs over
// s3rver and is: killed with SIGKILL mid-republish and restarted (kills), stormed with webhooks and
// readers while a proxy injects S3 faults (faults), fuzzed by hostile clients (fuzz), run as three
// instances sharing one bucket, over s3rver as it is and through a proxy that keeps to conditional
// writes (instances: bench/chaos-instances.ts), and then, alone on the machine, soaked with requests
// while its resident memory is sampled (soak). Each phase runs in a process of its own; the first
// five run at once (they mostly wait: on restarts, timeouts, injected latency, retries), each
// starting no new work after CHAOS_PHASE_SECONDS. Prints the seconds each phase took and one table;
// exits non-zero when any lost, backwards, invalid or unexpected-5xx count is not 0, or memory grew
// past its bound after warm-up.
//
// Environment: CHAOS_SEED (default 15), CHAOS_KILLS (kill cycles, default 6), CHAOS_WEBHOOKS (fault
// storm, default 16), CHAOS_FUZZ_RUNS (default 1000), CHAOS_PHASE_SECONDS (default 90),
// CHAOS_PARALLEL (phases at once, default 5), CHAOS_SOAK_REQUESTS (default 1000000, the issue's
// soak), CHAOS_SOAK_MAX_SECONDS (default 150: on a loaded machine the soak stops there, and says
// so, to keep the campaign within 5 minutes), CHAOS_MEMORY_GROWTH_MB (bound after warm-up, default 96), CHAOS_PHASES
// (comma-separated subset of kills,faults,instances,fuzz,soak). Needs wrk for the soak.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLValidator } from 'fast-xml-parser'
import { NO_FAULTS, startFaultProxy, type FaultRates } from '../test/support/fault-proxy.ts'
import { instancesPhase } from './chaos-instances.ts'
import { runHostileCampaign } from '../test/support/hostile-clients.ts'
import { runKillCampaign } from '../test/support/kill-campaign.ts'
import { startSeededS3 } from '../test/support/s3.ts'
import {
  buildServeEntry,
  itemsOf,
  postSigned,
  startSilkfeed,
  stormStory,
  STORM_FEEDS,
} from '../test/support/silkfeed-process.ts'

const SEED = Number(process.env.CHAOS_SEED ?? 15)
const KILLS = Number(process.env.CHAOS_KILLS ?? 6)
const WEBHOOKS = Number(process.env.CHAOS_WEBHOOKS ?? 16)
const FUZZ_RUNS = Number(process.env.CHAOS_FUZZ_RUNS ?? 1000)
const PHASE_SECONDS = Number(process.env.CHAOS_PHASE_SECONDS ?? 90)
const PARALLEL = Number(process.env.CHAOS_PARALLEL ?? 5)
const SOAK_REQUESTS = Number(process.env.CHAOS_SOAK_REQUESTS ?? 1_000_000)
const SOAK_MAX_SECONDS = Number(process.env.CHAOS_SOAK_MAX_SECONDS ?? 150)
const MEMORY_GROWTH_MB = Number(process.env.CHAOS_MEMORY_GROWTH_MB ?? 96)
const PHASES = (process.env.CHAOS_PHASES ?? 'kills,faults,instances,fuzz,soak').split(',')
const SECRET = 'chaos-webhook-secret-0123456789'
/** A system tool (apt-get install wrk), not an npm binary. */
const WRK = 'wrk'

/** One row of the table. */
interface Row {
  phase: string
  requests: number
  faults: number
  kills: number
  instances: number
  acknowledged: number
  lost: number
  backwards: number
  invalid: number
  unexpected5xx: number
  peakRssBytes: number
  seconds: number
  notes: string[]
}

/** What a phase is given: the bundled entry, a scratch directory of its own, and when to stop starting work. */
interface PhaseContext {
  entry: string
  directory: string
  seed: number
  until: number
}

type Phase = (context: PhaseContext) => Promise<Row>

const emptyRow = (phase: string): Row => ({
  phase,
  requests: 0,
  faults: 0,
  kills: 0,
  instances: 1,
  acknowledged: 0,
  lost: 0,
  backwards: 0,
  invalid: 0,
  unexpected5xx: 0,
  peakRssBytes: 0,
  seconds: 0,
  notes: [],
})

/** Several instances sharing one bucket (issue 15.3): bench/chaos-instances.ts. */
const instancesOver =
  (conditional: boolean): Phase =>
  async (context) => ({
    ...emptyRow(
      `instances (3 on one bucket, ${conditional ? 'conditional writes kept' : 's3rver ignoring them'})`,
    ),
    ...(await instancesPhase(context, conditional)),
  })

const killsPhase: Phase = async ({ entry, directory, seed, until }) => {
  const row = emptyRow('kills (kill -9 mid-republish, restart)')
  const { embedded } = await startSeededS3(join(directory, 's3'), 'chaos-kills')
  try {
    const report = await runKillCampaign({
      entry,
      s3Endpoint: embedded.endpoint,
      bucket: 'chaos-kills',
      secret: SECRET,
      cycles: KILLS,
      seed,
      until,
      minCycles: 3,
    })
    Object.assign(row, {
      requests: report.requests,
      kills: report.kills,
      acknowledged: report.acknowledged,
      lost: report.lost.length + report.unfinished.length + report.failedStarts.length,
      invalid: report.unreadable.length,
      peakRssBytes: report.peakRss,
    })
    row.notes.push(
      `${report.kills} of CHAOS_KILLS=${KILLS} kill cycles within the phase's ${PHASE_SECONDS} s`,
    )
    row.notes.push(...report.lost, ...report.unfinished, ...report.failedStarts, ...report.unreadable)
  } finally {
    await embedded.stop()
  }
  return row
}

const FAULT_RATES: FaultRates = {
  error500: 0.012,
  slowDown: 0.012,
  drop: 0.008,
  resetRequest: 0.008,
  resetResponse: 0.01,
  latency: 0.1,
  latencyMs: 20,
}

function validDocument(path: string, text: string): boolean {
  if (path.endsWith('.json')) {
    try {
      itemsOf(text)
      return true
    } catch {
      return false
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the validator the parse-back tests use
  return XMLValidator.validate(text) === true && /<\/(rss|feed)>\s*$/.test(text)
}

/** Webhooks the fault storm sends whatever its time budget. */
const FAULT_WEBHOOKS_AT_LEAST = 6

const faultsPhase: Phase = async ({ entry, directory, seed, until }) => {
  const row = emptyRow('faults (S3 500/503/drops/resets/latency)')
  const { embedded } = await startSeededS3(join(directory, 's3'), 'chaos-faults')
  const proxy = await startFaultProxy({ upstreamPort: embedded.port, rates: NO_FAULTS, seed })
  const server = await startSilkfeed({
    entry,
    s3Endpoint: proxy.endpoint,
    bucket: 'chaos-faults',
    secret: SECRET,
    // STORAGE_TIMEOUT_MS: dropped connections are found by it; 4 s, so that a process starved of CPU
    // beside the other phases does not time out healthy requests as well.
    env: { STORAGE_CONCURRENCY: '8', HOT_CACHE_MS: '200', STORAGE_TIMEOUT_MS: '4000', LOG_LEVEL: 'error' },
  })
  try {
    const paths = STORM_FEEDS.flatMap((p) => [p, p.replace('.json', '.rss'), p.replace('.json', '.atom')])
    for (const path of paths) await fetch(`${server.base}${path}`).then((r) => r.arrayBuffer())
    proxy.setRates(FAULT_RATES)
    const count = (status: number, retryAfter: string | null) => {
      row.requests++
      if (status >= 500 && !(status === 503 && retryAfter)) row.unexpected5xx++
    }
    let next = 0
    const editor = async () => {
      while (next < WEBHOOKS && (next < FAULT_WEBHOOKS_AT_LEAST || Date.now() < until)) {
        const i = next++
        for (;;) {
          const answer = await postSigned(server.base, { upsert: stormStory(i) }, SECRET)
          count(answer.status, answer.retryAfter)
          if (answer.status === 200) break
          if (answer.status !== 503) row.notes.push(`webhook ${i}: ${answer.status}`)
          if (answer.status !== 503) break
        }
        row.acknowledged++
      }
    }
    let storming = true
    const lastModified = new Map<string, number>()
    const reader = async () => {
      for (let n = 0; storming; n++) {
        const path = paths[n % paths.length]!
        const res = await fetch(`${server.base}${path}`).catch(() => undefined)
        const text = (await res?.text()) ?? ''
        count(res?.status ?? 0, res?.headers.get('retry-after') ?? null)
        if (res?.status !== 200 || !validDocument(path, text)) {
          row.invalid++
          continue
        }
        const modified = Date.parse(res.headers.get('last-modified') ?? '')
        if (modified < (lastModified.get(path) ?? 0)) row.backwards++
        lastModified.set(path, modified)
        // Polling readers, not a spin: the CPU goes to the webhooks and to the phases run beside.
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
    const readers = [reader(), reader()]
    await Promise.all([editor(), editor()])
    storming = false
    await Promise.all(readers)
    proxy.setRates(NO_FAULTS)
    await new Promise((resolve) => setTimeout(resolve, 300))
    for (const path of STORM_FEEDS) {
      const items = itemsOf(await (await fetch(`${server.base}${path}`)).text())
      for (let i = 0; i < next; i++) if (!items.some((item) => item.includes(`· ${i}.1 |`))) row.lost++
    }
    row.faults = proxy.faults()
    row.notes.push(
      `${next} of CHAOS_WEBHOOKS=${WEBHOOKS} webhooks sent within the phase's ${PHASE_SECONDS} s`,
    )
    row.peakRssBytes = await server.rss()
  } finally {
    await server.stop()
    await proxy.close()
    await embedded.stop()
  }
  return row
}

const fuzzPhase: Phase = async ({ entry, directory, seed }) => {
  const row = emptyRow('fuzz (hostile clients, issue-17 classes)')
  const { embedded } = await startSeededS3(join(directory, 's3'), 'chaos-fuzz')
  const server = await startSilkfeed({
    entry,
    s3Endpoint: embedded.endpoint,
    bucket: 'chaos-fuzz',
    secret: SECRET,
    env: { LOG_LEVEL: 'silent', WEBHOOK_BODY_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '1000' },
  })
  try {
    // Beside the other phases on a loaded machine, a cold page may take seconds to render: an answer
    // counts as missing only after 30 s without a byte of it (10 s in the test).
    const report = await runHostileCampaign({
      base: server.base,
      runs: FUZZ_RUNS,
      seed,
      floodSize: 1000,
      answerTimeoutMs: 30_000,
    })
    row.requests = report.requests
    row.unexpected5xx = report.unexpected5xx
    row.invalid = report.violations.length - report.unexpected5xx
    row.notes.push(...report.violations.slice(0, 20))
    row.peakRssBytes = await server.rss()
  } finally {
    await server.stop()
    await embedded.stop()
  }
  return row
}

/** Requests wrk sends per write on each connection (HTTP/1.1 pipelining): far fewer syscalls a request. */
const SOAK_PIPELINE = 16
/** Distinct junk paths (half under an unknown locale, half unknown feeds of a known one). */
const SOAK_JUNK_PATHS = 10_000
/** The soak's warm-up: until every junk path was asked once (2 misses a batch of 16). */
const SOAK_WARMUP_REQUESTS = (SOAK_JUNK_PATHS * SOAK_PIPELINE) / 2
/** wrk's connections (one thread): with pipelining, 16 keep the server busy without queueing much. */
const SOAK_CONNECTIONS = 16

/** A feed the soak's webhooks (Russian stories) leave alone, so that its revalidations stay 304s. */
const SOAK_STILL_FEED = '/zh/sco.rss'

/**
 * wrk's script for the soak, pipelined: per batch of 16, 7 hot hits (6 of them gzip, as feed readers
 * ask; 4 on the feed the webhooks change), 7 revalidations answered 304, 2 misses that walk 10,000 distinct junk paths (an unknown
 * locale, and unknown feeds of a known one).
 */
function soakScript(etag: string): string {
  const tag = etag.replace(/'/g, '')
  return `local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; j = 0; bad = 0 end
request = function()
  local batch = {}
  for i = 1, ${SOAK_PIPELINE} do
    n = n + 1
    local k = i % 16
    if k < 1 then batch[i] = wrk.format("GET", "/ru/sco.rss")
    elseif k < 4 then batch[i] = wrk.format("GET", "/ru/sco.rss", { ["Accept-Encoding"] = "gzip" })
    elseif k < 7 then batch[i] = wrk.format("GET", "${SOAK_STILL_FEED}", { ["Accept-Encoding"] = "gzip" })
    elseif k < 14 then batch[i] = wrk.format("GET", "${SOAK_STILL_FEED}", { ["If-None-Match"] = '${tag}' })
    else
      -- The junk paths in a scattered order, every one of the 10,000 once per 10,000 misses.
      j = j + 1
      local m = (j * 7919) % ${SOAK_JUNK_PATHS}
      if m % 2 == 0 then batch[i] = wrk.format("GET", "/zz/junk-" .. m .. ".rss")
      else batch[i] = wrk.format("GET", "/ru/junk-" .. m .. ".json") end
    end
  end
  return table.concat(batch)
end
response = function(status, headers, body)
  if status >= 500 and status ~= 503 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write("UNEXPECTED5XX " .. total .. "\\n")
end
`
}

function runWrk(url: string, script: string, seconds: number): Promise<{ requests: number; bad: number }> {
  return new Promise((resolve) => {
    let out = ''
    const child = spawn(WRK, ['-t1', `-c${SOAK_CONNECTIONS}`, `-d${seconds}s`, '-s', script, url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.once('exit', () =>
      resolve({
        requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
        bad: Number(/UNEXPECTED5XX (\d+)/.exec(out)?.[1] ?? 0),
      }),
    )
  })
}

const soakPhase: Phase = async ({ entry, directory }) => {
  const row = emptyRow('soak (hot, 304, 10k junk paths, webhooks)')
  if (spawnSync(WRK, ['--version']).error) {
    row.notes.push('wrk is not installed (apt-get install wrk): soak not run')
    row.invalid = 1
    return row
  }
  const { embedded } = await startSeededS3(join(directory, 's3'), 'chaos-soak')
  const server = await startSilkfeed({
    entry,
    s3Endpoint: embedded.endpoint,
    bucket: 'chaos-soak',
    secret: SECRET,
    env: { LOG_LEVEL: 'error' },
  })
  const script = join(directory, 'soak.lua')
  try {
    const etag = (await fetch(`${server.base}${SOAK_STILL_FEED}`)).headers.get('etag') ?? '"none"'
    writeFileSync(script, soakScript(etag))
    const soak = { on: true }
    let story = 1000
    const editor = (async () => {
      while (soak.on) {
        const answer = await postSigned(server.base, { upsert: stormStory(story++).slice(0, 1) }, SECRET)
        row.requests++
        if (answer.status === 200) row.acknowledged++
        else if (answer.status >= 500 && !(answer.status === 503 && answer.retryAfter)) row.unexpected5xx++
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }
    })()
    let warmRss = 0
    const samples: number[] = []
    const sampler = setInterval(() => void server.rss().then((rss) => samples.push(rss)), 500)
    const started = Date.now()
    // Warm-up rounds until every junk path was asked once (their peak memory is the baseline of the
    // bound), then rounds sized from the rate measured so far to land just past SOAK_REQUESTS,
    // within SOAK_MAX_SECONDS. Resident memory is noted at the end of each round.
    const trajectory: string[] = []
    for (let round = 0; row.requests < SOAK_REQUESTS; round++) {
      const elapsed = (Date.now() - started) / 1000
      const left = SOAK_MAX_SECONDS - elapsed
      if (left < 1) {
        row.notes.push(`stopped at ${SOAK_MAX_SECONDS} s before ${SOAK_REQUESTS} requests`)
        break
      }
      const warming = warmRss === 0
      const rate = row.requests / Math.max(1, elapsed)
      const seconds = warming
        ? Math.min(5, left)
        : Math.min(left, 30, Math.max(2, ((SOAK_REQUESTS - row.requests) / rate) * 1.05))
      const { requests, bad } = await runWrk(`${server.base}/`, script, Math.ceil(seconds))
      row.requests += requests
      row.unexpected5xx += bad
      const rss = await server.rss()
      if (warming && row.requests >= SOAK_WARMUP_REQUESTS) warmRss = Math.max(...samples, rss)
      trajectory.push(`${Math.round(row.requests / 1000)}k: ${(rss / 2 ** 20).toFixed(0)}`)
    }
    if (warmRss === 0) warmRss = Math.max(...samples)
    const soakSeconds = (Date.now() - started) / 1000
    row.notes.push(
      `${row.requests} requests in ${soakSeconds.toFixed(0)} s (${(row.requests / soakSeconds).toFixed(0)}/s, ` +
        `wrk -t1 -c${SOAK_CONNECTIONS}, ${SOAK_PIPELINE} pipelined)`,
    )
    soak.on = false
    await editor
    clearInterval(sampler)
    row.peakRssBytes = Math.max(...samples)
    const growth = (row.peakRssBytes - warmRss) / 2 ** 20
    row.notes.push(`resident MB by requests sent: ${trajectory.join(', ')}`)
    row.notes.push(
      `resident memory after warm-up ${(warmRss / 2 ** 20).toFixed(0)} MB, peak ${(row.peakRssBytes / 2 ** 20).toFixed(0)} MB ` +
        `(growth ${growth.toFixed(0)} MB, bound ${MEMORY_GROWTH_MB} MB)`,
    )
    if (growth > MEMORY_GROWTH_MB) row.invalid++
    const items = itemsOf(await (await fetch(`${server.base}/ru/latest.json`)).text())
    for (let n = story - 1; n >= Math.max(1000, story - 40); n--)
      if (row.acknowledged > 0 && !items.some((item) => item.includes(`· ${n}.1 |`))) row.lost++
  } finally {
    await server.stop()
    await embedded.stop()
  }
  return row
}

/** Every phase: what CHAOS_PHASES calls it, and whether it runs alone after the others (the soak). */
const PHASES_BY_NAME: Record<string, { selector: string; phase: Phase; alone?: boolean }> = {
  kills: { selector: 'kills', phase: killsPhase },
  faults: { selector: 'faults', phase: faultsPhase },
  'instances-plain': { selector: 'instances', phase: instancesOver(false) },
  'instances-conditional': { selector: 'instances', phase: instancesOver(true) },
  fuzz: { selector: 'fuzz', phase: fuzzPhase },
  soak: { selector: 'soak', phase: soakPhase, alone: true },
}
/** Longest first, so that the phases run at once end about together. */
const ORDER = ['instances-conditional', 'instances-plain', 'kills', 'faults', 'fuzz', 'soak']
const ROW_PREFIX = 'CHAOS_ROW '
const STAGGER_MS = 3000

/**
 * CPU seconds this process and the phases' processes (and theirs, once ended) used, from
 * /proc/self/stat: beside the wall-clock time it tells how much of the machine the campaign had.
 */
function cpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? []
  // utime, stime, cutime, cstime: fields 14 to 17 of stat, 12 to 15 after the command; 100 ticks a second.
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0) / 100
}

/** In a phase's own process: runs it and prints its row. */
async function child(name: string): Promise<void> {
  const started = Date.now()
  const row = await PHASES_BY_NAME[name]!.phase({
    entry: process.env.CHAOS_ENTRY!,
    directory: process.env.CHAOS_DIRECTORY!,
    seed: SEED,
    until: started + PHASE_SECONDS * 1000,
  })
  console.log(ROW_PREFIX + JSON.stringify(row))
}

/** Runs a phase in a process of its own (this script again, under the same loader) and reads its row. */
function runChild(name: string, entry: string, directory: string): Promise<Row> {
  const started = Date.now()
  mkdirSync(directory, { recursive: true })
  return new Promise((resolve) => {
    let out = ''
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!], {
      env: { ...process.env, CHAOS_CHILD: name, CHAOS_ENTRY: entry, CHAOS_DIRECTORY: directory },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.once('exit', (code, signal) => {
      const seconds = (Date.now() - started) / 1000
      console.error(`chaos: ${name} done in ${seconds.toFixed(0)} s`)
      const line = out.split('\n').find((l) => l.startsWith(ROW_PREFIX))
      if (line) {
        resolve({ ...(JSON.parse(line.slice(ROW_PREFIX.length)) as Row), seconds })
        return
      }
      // A phase that died counts as a failure: it proved nothing.
      resolve({
        ...emptyRow(name),
        invalid: 1,
        seconds,
        notes: [`the phase's process ended (${code ?? signal}) without a result: ${out.slice(-500)}`],
      })
    })
  })
}

/** Runs `names` with at most `limit` at once, in that order; the rows come back in the same order. */
async function runAtOnce(names: string[], limit: number, entry: string, root: string): Promise<Row[]> {
  const rows: Row[] = []
  let next = 0
  const worker = async (k: number) => {
    // Starts a few seconds apart: process starts and seeding do not all fall in one moment.
    await new Promise((resolve) => setTimeout(resolve, k * STAGGER_MS))
    for (let i = next++; i < names.length; i = next++)
      rows[i] = await runChild(names[i]!, entry, join(root, names[i]!))
  }
  await Promise.all(Array.from({ length: Math.max(1, limit) }, (_, k) => worker(k)))
  return rows
}

function printTable(rows: Row[], seconds: number): void {
  const mb = (bytes: number) => (bytes > 0 ? `${(bytes / 2 ** 20).toFixed(0)} MB` : '—')
  console.log(
    `\n# ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}, ` +
      `seed ${SEED}, ${seconds.toFixed(0)} s, ${cpuSeconds().toFixed(0)} CPU seconds used (of ${(seconds * cpus().length).toFixed(0)})\n`,
  )
  console.log(
    '| phase | seconds | requests sent | faults injected | kills | instances | acknowledged writes | lost writes | feeds went backwards | invalid documents | 5xx other than 503 | peak memory |',
  )
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const r of rows) {
    console.log(
      `| ${r.phase} | ${r.seconds.toFixed(0)} | ${r.requests} | ${r.faults} | ${r.kills} | ${r.instances} | ${r.acknowledged} | ${r.lost} | ${r.backwards} | ${r.invalid} | ${r.unexpected5xx} | ${mb(r.peakRssBytes)} |`,
    )
  }
  const sum = (
    key:
      'requests' | 'faults' | 'kills' | 'acknowledged' | 'lost' | 'backwards' | 'invalid' | 'unexpected5xx',
  ) => rows.reduce((total, r) => total + r[key], 0)
  console.log(
    `| **all** | ${seconds.toFixed(0)} | ${sum('requests')} | ${sum('faults')} | ${sum('kills')} | ${Math.max(0, ...rows.map((r) => r.instances))} | ${sum('acknowledged')} | ${sum('lost')} | ${sum('backwards')} | ${sum('invalid')} | ${sum('unexpected5xx')} | ${mb(Math.max(0, ...rows.map((r) => r.peakRssBytes)))} |`,
  )
  console.log('')
  for (const r of rows) console.log(`${r.phase}: ${r.notes.join('; ')}`)
  const failed = sum('lost') + sum('backwards') + sum('invalid') + sum('unexpected5xx')
  console.log(
    failed === 0 ? '\nAll targets met (0 lost, backwards, invalid, unexpected 5xx).' : '\nTargets NOT met.',
  )
  process.exitCode = failed === 0 ? 0 : 1
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'silkfeed-chaos-'))
  const { entry, remove } = await buildServeEntry()
  const started = Date.now()
  const chosen = ORDER.filter((name) => PHASES.includes(PHASES_BY_NAME[name]!.selector))
  const rows: Row[] = []
  try {
    const together = chosen.filter((name) => !PHASES_BY_NAME[name]!.alone)
    console.error(`chaos: ${together.join(', ')} (${Math.min(PARALLEL, together.length)} at once)…`)
    rows.push(...(await runAtOnce(together, PARALLEL, entry, root)))
    for (const name of chosen.filter((n) => PHASES_BY_NAME[n]!.alone)) {
      console.error(`chaos: ${name}, alone…`)
      rows.push(await runChild(name, entry, join(root, name)))
    }
  } finally {
    remove()
    rmSync(root, { recursive: true, force: true })
  }
  printTable(rows, (Date.now() - started) / 1000)
}

if (process.env.CHAOS_CHILD) await child(process.env.CHAOS_CHILD)
else await main()
