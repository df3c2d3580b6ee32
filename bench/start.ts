// `npm run bench:start`: the entry a newcomer measures first (`npm start`, with its embedded store)
// against the production entry (`node dist/serve.mjs`, built here with `npm run build`, against an
// embedded store started here), serving the same hot feed of about 40 KB. Each server is pinned to
// core 0 and wrk to core 1 (`taskset`), one after the other, the order alternating; it prints req/s
// and the CPU time per request of the serving process (steadier than req/s on a busy machine), and
// the ratio against the target (npm start ≥ 0.8x the production entry).
//
// Environment: BENCH_SECONDS (per run, default 5), BENCH_ROUNDS (runs per entry, median kept; default
// 3), BENCH_CONNECTIONS (default 50), BENCH_START_TSX=1 to measure `tsx src/platform/node.ts` too (the
// way `npm start` ran before), for comparison.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { startEmbeddedS3 } from '../src/platform/embedded-s3.ts'
import { storeArticles } from '../src/services/seed.ts'
import { loadSamples, ROOT } from '../test/support/samples.ts'
import { storeFor } from '../test/support/s3.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const PATH = '/ru/latest.rss'
const PORT = 8897

if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is missing: apt-get install wrk')
if (spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' }).status !== 0)
  throw new Error('build failed')

const directory = mkdtempSync(join(tmpdir(), 'silkfeed-bench-start-'))
const s3 = await startEmbeddedS3({ directory, buckets: ['silkfeed'] })
await storeArticles(storeFor(s3.endpoint, 'silkfeed'), loadSamples())

const ENTRIES: Record<string, { command: string[]; env: Record<string, string> }> = {
  'npm start': { command: ['npm', 'start'], env: {} },
  'node dist/serve.mjs': {
    command: [process.execPath, 'dist/serve.mjs'],
    env: {
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      PUBLIC_BASE_URL: `http://127.0.0.1:${PORT}`,
      WEBHOOK_SECRETS: 'bench-start-secret-0123456789',
    },
  },
}
if (process.env.BENCH_START_TSX === '1') {
  ENTRIES['tsx src/platform/node.ts'] = { command: ['npx', 'tsx', 'src/platform/node.ts'], env: {} }
}

/** Pids of a process and its descendants, but not the embedded store (its CPU is storage's, not serving's). */
function servingTree(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const ppid = Number(
        readFileSync(`/proc/${name}/stat`, 'utf8')
          .replace(/^.*\) /, '')
          .split(' ')[1],
      )
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)])
    } catch {
      // gone meanwhile
    }
  }
  const tree: number[] = []
  const visit = (pid: number) => {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    if (cmdline.includes('s3rver-child')) return
    tree.push(pid)
    for (const child of children.get(pid) ?? []) visit(child)
  }
  visit(root)
  return tree
}

/** User + system CPU time of processes so far, in µs (Linux /proc, 1/100 s ticks). */
function cpuUs(pids: readonly number[]): number {
  let ticks = 0
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // exited
    }
  }
  return ticks * 10_000
}

async function start(name: string): Promise<ChildProcess> {
  const { command, env } = ENTRIES[name]!
  const child = spawn('taskset', ['-c', '0', ...command], {
    cwd: ROOT,
    detached: true, // its own process group, so that stopping it stops everything it started
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(PORT), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('silkfeed listening')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)))
  })
  return child
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    process.kill(-child.pid!, 'SIGTERM')
  })
}

function wrk(seconds: number): { rps: number; requests: number } {
  const out = spawnSync(
    'taskset',
    ['-c', '1', 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, `http://127.0.0.1:${PORT}${PATH}`],
    { encoding: 'utf8' },
  ).stdout
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
  const requests = Number(/(\d+) requests in/.exec(out)?.[1])
  if (!rps) throw new Error(`wrk printed no rate:\n${out}`)
  return { rps, requests }
}

async function measure(name: string): Promise<{ rps: number; cpuUsPerRequest: number; bytes: number }> {
  const child = await start(name)
  try {
    const res = await fetch(`http://127.0.0.1:${PORT}${PATH}`)
    const bytes = (await res.arrayBuffer()).byteLength
    wrk(1) // warm-up
    const tree = servingTree(child.pid!)
    const before = cpuUs(tree)
    const { rps, requests } = wrk(SECONDS)
    return { rps, cpuUsPerRequest: (cpuUs(tree) - before) / requests, bytes }
  } finally {
    await stop(child)
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const names = Object.keys(ENTRIES)
const results = new Map(names.map((n) => [n, [] as Awaited<ReturnType<typeof measure>>[]]))
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse()
    for (const name of order) results.get(name)!.push(await measure(name))
  }
} finally {
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
}

console.log(`# npm run bench:start — ${new Date().toISOString()}`)
console.log(
  `# ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}; GET ${PATH} (hot), ${CONNECTIONS} connections, ${SECONDS} s per run, median of ${ROUNDS}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
console.log('| entry | body bytes | req/s | CPU µs/req |')
console.log('|---|---:|---:|---:|')
const summary = new Map<string, { rps: number; cpu: number }>()
for (const name of names) {
  const runs = results.get(name)!
  const rps = median(runs.map((r) => r.rps))
  const cpu = median(runs.map((r) => r.cpuUsPerRequest))
  summary.set(name, { rps, cpu })
  console.log(`| ${name} | ${runs[0]!.bytes} | ${rps.toFixed(0)} | ${cpu.toFixed(1)} |`)
}
const ours = summary.get('npm start')!
const production = summary.get('node dist/serve.mjs')!
const ratio = ours.rps / production.rps
console.log(
  `${ratio >= 0.8 ? 'PASS' : 'FAIL'}  npm start vs the production entry: ${ratio.toFixed(2)}x req/s, ${(production.cpu / ours.cpu).toFixed(2)}x CPU per request (target 0.8x)`,
)
