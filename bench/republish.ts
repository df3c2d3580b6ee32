// `npm run bench:republish`: time from sending a webhook that upserts one story in four locales to its
// 200 (every affected feed durable in storage, in every content coding), beside its floor measured in
// the same run: the unavoidable work of the same republish done the simplest way in one process —
// compressing the same bodies with the same settings (gzip and brotli) and PUTting the resulting
// bytes to the same server. With 1,000 and 20,000 stored articles (the cost follows the feeds
// touched, not the size of the store), and with a catalogue of 30 feed definitions instead of 2, the
// story in 2 of them (the cost follows the feeds a story is in, not the catalogue). Beside the times
// it prints, per webhook (medians), the storage requests, the CPU time of this process and of s3rver,
// and the bytes PUT. BENCH_ROUNDS (default 15) sets the rounds; BENCH_TIMELINE=1 prints the storage
// requests of one webhook with their start and end times.
import { cpus } from 'node:os'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Article } from '../src/domain/article.ts'
import { primaryAudience } from '../src/domain/audience.ts'
import { parseFeedCatalog, type FeedCatalog } from '../src/domain/feed-definition.ts'
import { signBody } from '../src/http/signature.ts'
import { startEmbeddedS3 } from '../src/platform/embedded-s3.ts'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { decodeBundle } from '../src/services/feed-bundle.ts'
import { storeArticles } from '../src/services/seed.ts'
import { KEYS } from '../src/services/storage-keys.ts'
import type { Bytes, ObjectMeta, ObjectStore } from '../src/ports/object-store.ts'
import type { S3ObjectStore } from '../src/storage/s3-object-store.ts'
import { appOver, serviceOver, TEST_SECRET } from '../test/support/app.ts'
import { ArchiveService } from '../src/services/archive-service.ts'
import { loadCatalog, loadSamples, ROOT } from '../test/support/samples.ts'
import { readJsonDirectory } from '../src/platform/node-files.ts'
import { storeFor } from '../test/support/s3.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
const LOCALES = ['zh', 'ru', 'kk', 'uz'] as const

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function storyIn(locale: (typeof LOCALES)[number], round: number): Article {
  const base = loadSamples().find((a) => a.locale === locale && a.sections.includes('sco'))!
  return {
    ...base,
    title: `${base.title} (${round})`,
    updatedAt: new Date(Date.parse('2026-01-01T00:00:00Z') + round * 1000).toISOString(),
  }
}

async function fill(store: S3ObjectStore, count: number): Promise<void> {
  const samples = loadSamples()
  const batch: Article[] = []
  for (let i = 0; i < count; i++) {
    const s = samples[i % samples.length]!
    batch.push({
      ...s,
      id: `filler-${i}`,
      publishedAt: new Date(Date.parse('2020-01-01T00:00:00Z') + i * 60_000).toISOString(),
    })
  }
  for (let i = 0; i < batch.length; i += 64) await storeArticles(store, batch.slice(i, i + 64))
}

/** Storage requests made through a store, with when they started and ended (ms since `zero`). */
class RecordingStore implements ObjectStore {
  zero = performance.now()
  requests: { op: string; key: string; start: number; end: number }[] = []
  constructor(private readonly store: ObjectStore) {}
  async #timed<T>(op: string, key: string, run: () => Promise<T>): Promise<T> {
    const start = performance.now() - this.zero
    try {
      return await run()
    } finally {
      this.requests.push({ op, key, start, end: performance.now() - this.zero })
    }
  }
  get = (key: string) => this.#timed('get', key, () => this.store.get(key))
  getIfChanged = (key: string, etag: string) =>
    this.#timed('get', key, () => this.store.getIfChanged(key, etag))
  put = (key: string, body: Bytes, meta: ObjectMeta) =>
    this.#timed('put', key, () => this.store.put(key, body, meta))
  list = (prefix: string, options?: { startAfter?: string }) =>
    this.#timed('list', prefix, () => this.store.list(prefix, options))
  delete = (keys: readonly string[]) => this.#timed('delete', keys[0] ?? '', () => this.store.delete(keys))
  ping = () => this.#timed('ping', '', () => this.store.ping())
}

/** CPU time (user + system, ms) a process has used, from /proc: for the s3rver child. */
function cpuOfProcess(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return NaN
  }
}

function ownCpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1000
}

/** The storage requests of one webhook, grouped by operation and key prefix, with their times. */
function timeline(requests: RecordingStore['requests']): string {
  const groups = new Map<string, string[]>()
  for (const r of requests) {
    const parts = r.key.split('/')
    const group = `${r.op} ${parts.length > 2 ? parts.slice(0, 2).join('/') : `${parts[0]}/`}`
    groups.set(group, [...(groups.get(group) ?? []), `${r.start.toFixed(0)}–${r.end.toFixed(0)}`])
  }
  return [...groups]
    .map(
      ([group, spans]) => `#   ${group.padEnd(24)} ${String(spans.length).padStart(3)}  ${spans.join(' ')}`,
    )
    .join('\n')
}

interface Setup {
  label: string
  count: number
  feeds: number
  catalog: FeedCatalog
  app: ReturnType<typeof appOver>
  recording: RecordingStore
  store: S3ObjectStore
  /** Brings the archives of the bench story's feeds current in its four locales (another process's view). */
  archives: () => Promise<unknown>
}

interface Sample {
  webhook: number
  floor: number
  requests: number
  ownCpu: number
  storeCpu: number
  putBytes: number
  timeline: string
  /** Bringing the archives current after the webhook (the change log since the last look, the layouts). */
  archives: number
}

/** One webhook of a setup, then its floor right after, on the same server and the same bodies. */
async function measureRound(
  { app, recording, store, label, archives, catalog }: Setup,
  round: number,
): Promise<Sample> {
  const body = JSON.stringify({ upsert: LOCALES.map((l) => storyIn(l, round + 1_000_000 * label.length)) })
  const headers = {
    'content-type': 'application/json',
    'silkfeed-signature': await signBody(new TextEncoder().encode(body), TEST_SECRET, Date.now() / 1000),
  }
  recording.requests = []
  const cpu = process.cpuUsage()
  const s3rverCpu = cpuOfProcess(s3.process.pid!)
  let t = performance.now()
  recording.zero = t
  const res = await app.request('/webhooks/republish', { method: 'POST', headers, body })
  const webhook = performance.now() - t
  const used = { own: ownCpuMs(cpu), store: cpuOfProcess(s3.process.pid!) - s3rverCpu }
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`)
  const requests = recording.requests.length
  t = performance.now()
  await archives()
  const archiveMs = performance.now() - t
  // The floor: the same bodies, compressed with the same settings, their bytes PUT to the same
  // server, the simplest way (each feed's variants as one object, all at once).
  const keys = (await res.json()) as {
    feeds: { feed: string; locale: (typeof LOCALES)[number]; format: 'rss' | 'atom' | 'json' }[]
  }
  const bodies = await Promise.all(
    keys.feeds.map(async (f) => {
      // Each feed's bundle for its public readers (an excerpt feed's is the excerpt audience's).
      const definition = catalog.all.find((d) => d.id === f.feed)!
      const stored = await store.get(KEYS.rendered(f.feed, f.locale, f.format, primaryAudience(definition)))
      const identity = decodeBundle(stored!.body)!.variants.identity
      return { body: identity.body.slice(), etag: identity.etag }
    }),
  )
  t = performance.now()
  let putBytes = 0
  await Promise.all(
    bodies.map(async ({ body }, i) => {
      // The simplest way: the same settings as the product, synchronously, no turn of the loop.
      const gzip = gzipSync(body, { level: 6 })
      const br = brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength },
      })
      const parts = [body, gzip, ...(br.byteLength < gzip.byteLength ? [br] : [])]
      const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
      let at = 0
      for (const part of parts) {
        out.set(part, at)
        at += part.byteLength
      }
      putBytes += out.byteLength
      return store.put(`floor/${label}/${round}/${i}`, out, { contentType: 'application/octet-stream' })
    }),
  )
  const floor = performance.now() - t
  return {
    webhook,
    floor,
    requests,
    ownCpu: used.own,
    storeCpu: used.store,
    putBytes,
    timeline: timeline(recording.requests.slice(0, requests)),
    archives: archiveMs,
  }
}

/** The shipped catalogue (latest, sco) and 28 more feeds of sections the bench story is not in. */
function wideCatalog(): FeedCatalog {
  const files = readJsonDirectory(ROOT, 'feeds') as Record<string, Record<string, unknown>>
  const sco = files['feeds/sco.json']!
  for (let i = 0; i < 28; i++)
    files[`feeds/desk-${i}.json`] = { ...sco, id: `desk-${i}`, sections: [`desk-${i}`] }
  return parseFeedCatalog(files)
}

const directory = mkdtempSync(join(tmpdir(), 'silkfeed-bench-rp-'))
const s3 = await startEmbeddedS3({ directory, buckets: ['small', 'large', 'wide'] })
try {
  console.log(`# npm run bench:republish — ${new Date().toISOString()}`)
  console.log(
    `# ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, s3rver on 127.0.0.1; median of ${ROUNDS} rounds`,
  )
  const setups: Setup[] = []
  for (const [label, count, catalog] of [
    ['small', 1000, loadCatalog()],
    ['large', 20000, loadCatalog()],
    ['wide', 1000, wideCatalog()],
  ] as const) {
    const store = storeFor(s3.endpoint, label, 30_000)
    const started = performance.now()
    await storeArticles(store, loadSamples())
    await fill(store, count)
    console.log(
      `# stored ${count} articles in ${label} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
    const recording = new RecordingStore(store)
    const app = appOver(recording, { storageTimeoutMs: 30_000 }, undefined, {}, catalog)
    // First build of each feed reads the whole store once; the steady state is what an editor sees.
    await Promise.all(catalog.all.map((d) => Promise.resolve(app.request(`/${d.locales[0]}/${d.id}.rss`))))
    for (const definition of catalog.all)
      for (const locale of definition.locales) await app.request(`/${locale}/${definition.id}.rss`)
    // Archives as a reader's process keeps them: every request looks again (HOT_CACHE_MS=0).
    const archiveService = new ArchiveService(
      serviceOver(recording, { storageTimeoutMs: 30_000, freshMs: 0 }, undefined, catalog),
      () => Date.now(),
    )
    const archived = catalog.all.filter((d) => d.sections === 'all' || d.sections.includes('sco'))
    const archives = () =>
      Promise.all(
        archived.flatMap((d) =>
          LOCALES.map(async (l) => {
            const { last } = await archiveService.layout(d, l)
            if (last) await archiveService.month(d, l, last, 'rss')
          }),
        ),
      )
    await archives()
    setups.push({ label, count, feeds: catalog.all.length, catalog, app, recording, store, archives })
  }
  // The setups take turns round by round, so that a busy moment of a shared machine falls on all
  // of them alike; the ratios between setups are medians of each round's own ratio.
  const samples = setups.map((): Sample[] => [])
  for (let round = 0; round < ROUNDS + 2; round++) {
    for (let k = 0; k < setups.length; k++) {
      const i = (round + k) % setups.length
      const sample = await measureRound(setups[i]!, round)
      if (round >= 2) samples[i]!.push(sample)
    }
  }
  const pick = (i: number, field: keyof Omit<Sample, 'timeline'>) => median(samples[i]!.map((s) => s[field]))
  console.log(
    '\n| stored articles | feeds in the catalogue | webhook to 200 (ms) | archives brought current after it (ms) | with archives / without (target ≤ 1.1x) |',
  )
  console.log('|---:|---:|---:|---:|---:|')
  setups.forEach((setup, i) => {
    const ratio = median(samples[i]!.map((s) => (s.webhook + s.archives) / s.webhook))
    console.log(
      `| ${setup.count} | ${setup.feeds} | ${pick(i, 'webhook').toFixed(1)} | ${pick(i, 'archives').toFixed(1)} | ${ratio.toFixed(2)}x |`,
    )
  })
  console.log(
    '\n| stored articles | feeds in the catalogue | webhook to 200 (ms) | floor: compress + PUT (ms) | ratio (target ≤ 1.25x) | storage requests | our CPU (ms) | s3rver CPU (ms) | bytes PUT by the floor |',
  )
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  setups.forEach((setup, i) => {
    const ratio = median(samples[i]!.map((s) => s.webhook / s.floor))
    console.log(
      `| ${setup.count} | ${setup.feeds} | ${pick(i, 'webhook').toFixed(1)} | ${pick(i, 'floor').toFixed(1)} | ${ratio.toFixed(2)}x | ${pick(i, 'requests')} | ${pick(i, 'ownCpu').toFixed(0)} | ${pick(i, 'storeCpu').toFixed(0)} | ${pick(i, 'putBytes')} |`,
    )
  })
  const paired = (i: number) => median(samples[i]!.map((s, r) => s.webhook / samples[0]![r]!.webhook))
  console.log(`\n20,000 vs 1,000 stored articles: ${paired(1).toFixed(2)}x (target ≤ 1.2x)`)
  console.log(`30 feeds vs 2 in the catalogue: ${paired(2).toFixed(2)}x (target ≤ 1.1x)`)
  if (process.env.BENCH_TIMELINE) {
    console.log('\n# storage requests of the last webhook (20,000 articles), ms after it was sent:')
    console.log(samples[1]!.at(-1)!.timeline)
  }
} finally {
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
}
