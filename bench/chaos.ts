// `npm run chaos`: the campaign of issue 15 against real processes on loopback. The production entry
// (bundled like `npm run build`) runs over s3rver and is, in turn: killed with SIGKILL mid-republish
// and restarted (kills), stormed with webhooks and readers while a proxy injects S3 faults (faults),
// fuzzed by hostile clients (fuzz), and soaked with at least a million requests while its resident
// memory is sampled (soak); three instances share one bucket (instances: bench/chaos-instances.ts).
// Prints one table; exits non-zero when any lost, backwards,
// invalid or unexpected-5xx count is not 0, or memory grew past its bound after warm-up.
//
// Environment: CHAOS_SEED (default 15), CHAOS_KILLS (kill cycles, default 6), CHAOS_WEBHOOKS (fault
// storm, default 16), CHAOS_FUZZ_RUNS (default 2000), CHAOS_SOAK_REQUESTS (default 1000000),
// CHAOS_SOAK_MAX_SECONDS (default 240), CHAOS_MEMORY_GROWTH_MB (bound after warm-up, default 96),
// CHAOS_PHASES (comma-separated subset of kills,faults,instances,fuzz,soak). Needs wrk for the soak.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
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
const FUZZ_RUNS = Number(process.env.CHAOS_FUZZ_RUNS ?? 2000)
const SOAK_REQUESTS = Number(process.env.CHAOS_SOAK_REQUESTS ?? 1_000_000)
const SOAK_MAX_SECONDS = Number(process.env.CHAOS_SOAK_MAX_SECONDS ?? 240)
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
  notes: string[]
}

/** What a phase is given: the bundled entry and a scratch directory of its own. */
interface PhaseContext {
  entry: string
  directory: string
  seed: number
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
  notes: [],
})

/** Several instances sharing one bucket (issue 15.3): bench/chaos-instances.ts. */
const INSTANCES_PHASE: Phase | undefined = async (context) => ({
  ...emptyRow('instances (3 sharing one bucket)'),
  ...(await instancesPhase(context)),
})

const killsPhase: Phase = async ({ entry, directory, seed }) => {
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
    })
    Object.assign(row, {
      requests: report.requests,
      kills: report.kills,
      acknowledged: report.acknowledged,
      lost: report.lost.length + report.unfinished.length + report.failedStarts.length,
      invalid: report.unreadable.length,
      peakRssBytes: report.peakRss,
    })
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

const faultsPhase: Phase = async ({ entry, directory, seed }) => {
  const row = emptyRow('faults (S3 500/503/drops/resets/latency)')
  const { embedded } = await startSeededS3(join(directory, 's3'), 'chaos-faults')
  const proxy = await startFaultProxy({ upstreamPort: embedded.port, rates: NO_FAULTS, seed })
  const server = await startSilkfeed({
    entry,
    s3Endpoint: proxy.endpoint,
    bucket: 'chaos-faults',
    secret: SECRET,
    env: { STORAGE_CONCURRENCY: '8', HOT_CACHE_MS: '200', STORAGE_TIMEOUT_MS: '2000', LOG_LEVEL: 'error' },
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
      while (next < WEBHOOKS) {
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
      for (let i = 0; i < WEBHOOKS; i++) if (!items.some((item) => item.includes(`· ${i}.1 |`))) row.lost++
    }
    row.faults = proxy.faults()
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
    const report = await runHostileCampaign({ base: server.base, runs: FUZZ_RUNS, seed, floodSize: 1000 })
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

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'silkfeed-chaos-'))
  const { entry, remove } = await buildServeEntry()
  const rows: Row[] = []
  const started = Date.now()
  const phases: [string, Phase | undefined][] = [
    ['kills', killsPhase],
    ['faults', faultsPhase],
    ['instances', INSTANCES_PHASE],
    ['fuzz', fuzzPhase],
    ['soak', soakPhase],
  ]
  try {
    for (const [name, phase] of phases) {
      if (!PHASES.includes(name)) continue
      if (!phase) {
        rows.push({
          ...emptyRow('instances (3 sharing one bucket)'),
          instances: 0,
          notes: ['not wired: see INSTANCES_PHASE'],
        })
        continue
      }
      const phaseStarted = Date.now()
      console.error(`chaos: ${name}…`)
      const row = await phase({ entry, directory: join(root, name), seed: SEED })
      row.notes.unshift(`${((Date.now() - phaseStarted) / 1000).toFixed(0)} s`)
      rows.push(row)
    }
  } finally {
    remove()
    rmSync(root, { recursive: true, force: true })
  }

  const mb = (bytes: number) => (bytes > 0 ? `${(bytes / 2 ** 20).toFixed(0)} MB` : '—')
  console.log(
    `\n# ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}, ` +
      `seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  )
  console.log(
    '| phase | requests sent | faults injected | kills | instances | acknowledged writes | lost writes | feeds went backwards | invalid documents | 5xx other than 503 | peak memory |',
  )
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const r of rows) {
    console.log(
      `| ${r.phase} | ${r.requests} | ${r.faults} | ${r.kills} | ${r.instances} | ${r.acknowledged} | ${r.lost} | ${r.backwards} | ${r.invalid} | ${r.unexpected5xx} | ${mb(r.peakRssBytes)} |`,
    )
  }
  const sum = (
    key:
      'requests' | 'faults' | 'kills' | 'acknowledged' | 'lost' | 'backwards' | 'invalid' | 'unexpected5xx',
  ) => rows.reduce((total, r) => total + r[key], 0)
  console.log(
    `| **all** | ${sum('requests')} | ${sum('faults')} | ${sum('kills')} | ${Math.max(0, ...rows.map((r) => r.instances))} | ${sum('acknowledged')} | ${sum('lost')} | ${sum('backwards')} | ${sum('invalid')} | ${sum('unexpected5xx')} | ${mb(Math.max(0, ...rows.map((r) => r.peakRssBytes)))} |`,
  )
  console.log('')
  for (const r of rows) console.log(`${r.phase}: ${r.notes.join('; ')}`)
  const failed = sum('lost') + sum('backwards') + sum('invalid') + sum('unexpected5xx')
  console.log(
    failed === 0 ? '\nAll targets met (0 lost, backwards, invalid, unexpected 5xx).' : '\nTargets NOT met.',
  )
  process.exitCode = failed === 0 ? 0 : 1
}

await main()
