import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseFeedCatalog } from '../../src/domain/feed-definition.ts'
import { readJsonDirectory } from '../../src/platform/node-files.ts'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { appOver, silentLogger } from './app.ts'
import { startConditionalProxy, type ConditionalProxy } from './conditional-proxy.ts'
import { startSeededS3, storeFor } from './s3.ts'
import { ROOT } from './samples.ts'
import { seededRandom } from './seeded.ts'
import {
  itemsOf,
  postSigned,
  startSilkfeed,
  stormStory,
  STORM_FEEDS,
  type SilkfeedProcess,
} from './silkfeed-process.ts'
import { postRepublish } from './webhook.ts'

/** What several instances on one bucket did; every list must be empty. */
export interface InstancesReport {
  instances: number
  /** HTTP requests sent to the instances (webhooks, their retries, readers' GETs). */
  requests: number
  /** Webhooks answered 200. */
  acknowledged: number
  /** 503s (with Retry-After) that a retry then completed. */
  retried: number
  /** Conditional writes the store refused (412): 0 on a store that ignores conditions. */
  refused: number
  /** A feed on an instance that does not end as the records say (or as a single-instance run renders it). */
  lost: string[]
  /** A reader of one instance saw an older version of a story, or a retracted story come back. */
  backwards: string[]
  /** An answer that was not a whole feed, or a webhook answer other than 200 or 503 with Retry-After. */
  invalid: string[]
  /** An answer not marked stale (no Age) that still differed from the final feed, asked for after the bound. */
  unconverged: string[]
  /** From the last 200 until every feed on every instance answered its final state (ms). */
  convergedMs: number
  /** The bound the instances promise: HOT_CACHE_MS + STORAGE_TIMEOUT_MS (ms). */
  boundMs: number
  peakRss: number
}

const BUCKET = 'instances'
const STORY = /· (\d+)\.(\d+) \|/

/** The storm's feeds (latest and sco) in the locales its stories reach only: a third of the renders. */
function writeStormCatalogue(directory: string): string {
  const feeds = join(directory, 'feeds')
  mkdirSync(feeds, { recursive: true })
  for (const id of ['latest', 'sco']) {
    const definition = JSON.parse(readFileSync(join(ROOT, 'feeds', `${id}.json`), 'utf8')) as object
    writeFileSync(
      join(feeds, `${id}.json`),
      JSON.stringify({ ...definition, locales: ['ru', 'kk', 'kk-latn'] }),
    )
  }
  return feeds
}

type Payload = { upsert?: ReturnType<typeof stormStory>; retract?: { id: string }[] }

/** The storm's webhooks: story corrections, retractions of some stories, and both in one. */
function stormPayloads(random: () => number, stories: number, count: number): Payload[] {
  const pick = (filter: (n: number) => boolean) => {
    const choices = Array.from({ length: stories }, (_, n) => n).filter(filter)
    return choices[Math.floor(random() * choices.length)]!
  }
  const retractable = (n: number) => n % 3 === 2
  const version = () => 2 + Math.floor(random() * 6)
  return Array.from({ length: count }, () => {
    const roll = random()
    const a = pick(() => true)
    if (roll < 0.55) {
      const b = pick((n) => n !== a)
      return { upsert: [...stormStory(a, version()), ...(random() < 0.5 ? stormStory(b, version()) : [])] }
    }
    const gone = pick(retractable)
    if (roll < 0.8) return { retract: [{ id: `storm-${gone}` }] }
    return {
      upsert: stormStory(
        pick((n) => n !== gone),
        version(),
      ),
      retract: [{ id: `storm-${gone}` }],
    }
  })
}

/** Each story's final state as the records say: retracted, or its newest version. */
function finalStates(payloads: readonly Payload[]): Map<number, number | 'retracted'> {
  const states = new Map<number, number | 'retracted'>()
  for (const payload of payloads) {
    for (const record of payload.upsert ?? []) {
      const [, n, v] = STORY.exec(`${record.title} |`)!
      const current = states.get(Number(n))
      if (current !== 'retracted' && (current ?? 0) < Number(v)) states.set(Number(n), Number(v))
    }
  }
  for (const payload of payloads)
    for (const { id } of payload.retract ?? []) states.set(Number(id.slice('storm-'.length)), 'retracted')
  return states
}

/** The storm stories a JSON Feed shows, by number, with their versions. */
function storiesShown(text: string): Map<number, number> {
  const shown = new Map<number, number>()
  for (const item of itemsOf(text)) {
    const match = STORY.exec(item)
    if (match) shown.set(Number(match[1]), Number(match[2]))
  }
  return shown
}

function matches(shown: Map<number, number>, final: Map<number, number | 'retracted'>): boolean {
  for (const [n, state] of final) {
    if (state === 'retracted' ? shown.has(n) : shown.get(n) !== state) return false
  }
  return true
}

/**
 * One reader per instance: asks its instance for the storm's feeds in turn and remembers, per feed,
 * the newest version of each story it saw and the stories it saw leave (retracted: every storm
 * story fits in every feed). Backwards: an older version, or a story that left coming back.
 */
function startReader(base: string, name: string, report: InstancesReport) {
  const seen = new Map<string, { versions: Map<number, number>; left: Set<number> }>()
  const state = { reading: true }
  const done = (async () => {
    for (let n = 0; state.reading; n++) {
      const path = STORM_FEEDS[n % STORM_FEEDS.length]!
      report.requests++
      const res = await fetch(`${base}${path}`).catch(() => undefined)
      const text = (await res?.text().catch(() => '')) ?? ''
      if (res?.status === 503 && res.headers.get('retry-after')) continue
      let shown: Map<number, number>
      try {
        if (res?.status !== 200) throw new Error(`status ${res?.status ?? 'none'}`)
        shown = storiesShown(text)
      } catch (error) {
        report.invalid.push(`${name} ${path}: ${(error as Error).message} ${text.slice(0, 120)}`)
        continue
      }
      let feed = seen.get(path)
      if (!feed) seen.set(path, (feed = { versions: new Map(), left: new Set() }))
      for (const [story, version] of shown) {
        const newest = feed.versions.get(story) ?? 0
        if (feed.left.has(story))
          report.backwards.push(`${name} ${path}: story ${story} came back after it left`)
        else if (version < newest)
          report.backwards.push(`${name} ${path}: story ${story} went back from .${newest} to .${version}`)
        feed.versions.set(story, Math.max(newest, version))
        feed.left.delete(story)
      }
      for (const story of feed.versions.keys()) if (!shown.has(story)) feed.left.add(story)
      await new Promise((resolve) => setTimeout(resolve, 15))
    }
  })()
  return {
    stop: async () => {
      state.reading = false
      await done
    },
  }
}

/**
 * Three (by default) production processes sharing one bucket on s3rver, directly (a store that
 * ignores conditional writes) or through a proxy that keeps to them as AWS S3 and R2 do. Editors
 * send each instance a storm of corrections and retractions of overlapping stories, each webhook
 * retried on 503 until 200, while one reader per instance polls its feeds. After the last 200,
 * every feed on every instance is asked for until it shows the final state; the final feeds are
 * compared with a single-instance run of the same webhooks on a clean store.
 */
export async function runInstancesScenario(options: {
  entry: string
  directory: string
  seed: number
  secret: string
  conditional: boolean
  instances?: number
  stories?: number
  webhooks?: number
  editorsPerInstance?: number
  hotCacheMs?: number
  storageTimeoutMs?: number
  /** Told when each step starts. */
  progress?: (step: string) => void
}): Promise<InstancesReport> {
  const progress = options.progress ?? (() => {})
  const random = seededRandom(options.seed)
  const stories = options.stories ?? 10
  const hotCacheMs = options.hotCacheMs ?? 300
  const storageTimeoutMs = options.storageTimeoutMs ?? 3000
  const report: InstancesReport = {
    instances: options.instances ?? 3,
    requests: 0,
    acknowledged: 0,
    retried: 0,
    refused: 0,
    lost: [],
    backwards: [],
    invalid: [],
    unconverged: [],
    convergedMs: 0,
    boundMs: hotCacheMs + storageTimeoutMs,
    peakRss: 0,
  }
  let s3: EmbeddedS3 | undefined
  let proxy: ConditionalProxy | undefined
  let servers: SilkfeedProcess[] = []
  try {
    ;({ embedded: s3 } = await startSeededS3(join(options.directory, 'shared'), BUCKET))
    if (options.conditional) proxy = await startConditionalProxy({ upstreamPort: s3.port, bucket: BUCKET })
    const endpoint = proxy?.endpoint ?? s3.endpoint
    const feedsDir = writeStormCatalogue(options.directory)
    servers = await Promise.all(
      Array.from({ length: report.instances }, () =>
        startSilkfeed({
          entry: options.entry,
          s3Endpoint: endpoint,
          bucket: BUCKET,
          secret: options.secret,
          env: {
            HOT_CACHE_MS: String(hotCacheMs),
            STORAGE_TIMEOUT_MS: String(storageTimeoutMs),
            RETRY_AFTER_SECONDS: '1',
            LOG_LEVEL: 'error',
            FEEDS_DIR: feedsDir,
          },
        }),
      ),
    )
    progress('started')
    const readers = servers.map((server, i) => startReader(server.base, `instance ${i}`, report))

    // Every story's first version, then the storm; each webhook goes to whichever instance's editor
    // takes it next, and is sent again to that instance on a 503 until it is answered 200.
    const preload: Payload[] = Array.from({ length: Math.ceil(stories / 2) }, (_, k) => ({
      upsert: [...stormStory(2 * k), ...(2 * k + 1 < stories ? stormStory(2 * k + 1) : [])],
    }))
    const storm = stormPayloads(random, stories, options.webhooks ?? 30)
    const acknowledged: Payload[] = []
    const send = async (queue: Payload[]) => {
      const editor = async (server: SilkfeedProcess) => {
        for (let payload = queue.shift(); payload; payload = queue.shift()) {
          for (let attempt = 1; ; attempt++) {
            report.requests++
            const answer = await postSigned(server.base, payload, options.secret)
            if (answer.status === 200) break
            if (answer.status !== 503 || !answer.retryAfter || attempt === 40) {
              report.invalid.push(`webhook: ${answer.status} ${answer.text.slice(0, 200)}`)
              break
            }
            report.retried++
            await new Promise((resolve) => setTimeout(resolve, 50))
          }
          report.acknowledged++
          acknowledged.push(payload)
        }
      }
      const editors = options.editorsPerInstance ?? 2
      await Promise.all(servers.flatMap((server) => Array.from({ length: editors }, () => editor(server))))
    }
    progress('preload')
    await send([...preload])
    progress('storm')
    await send([...storm])
    progress('convergence')
    const lastAck = Date.now()

    // Every feed on every instance, asked for until it shows what the records say.
    const final = finalStates(acknowledged)
    const finalTexts = new Map<string, string>()
    const deadline = lastAck + 5 * report.boundMs
    await Promise.all(
      servers.flatMap((server, i) =>
        STORM_FEEDS.map(async (path) => {
          for (;;) {
            const askedAt = Date.now()
            report.requests++
            const res = await fetch(`${server.base}${path}`)
            const text = await res.text()
            if (res.status === 200 && matches(storiesShown(text), final)) {
              finalTexts.set(`${i} ${path}`, text)
              report.convergedMs = Math.max(report.convergedMs, Date.now() - lastAck)
              return
            }
            if (askedAt >= lastAck + report.boundMs && !res.headers.has('age'))
              report.unconverged.push(`instance ${i} ${path}: ${res.status} at +${askedAt - lastAck} ms`)
            if (Date.now() > deadline) {
              report.lost.push(
                `instance ${i} ${path}: not the final state ${Date.now() - lastAck} ms after the last 200`,
              )
              return
            }
            await new Promise((resolve) => setTimeout(resolve, 25))
          }
        }),
      ),
    )
    await Promise.all(readers.map((reader) => reader.stop()))
    for (const server of servers) report.peakRss = Math.max(report.peakRss, await server.rss())
    report.refused = proxy?.counts.refused ?? 0
    await Promise.all(servers.map((server) => server.stop()))
    servers = []

    progress('reference')
    // The same webhooks, one at a time, through one app on a clean store: the feeds must be equal.
    const { embedded: clean } = await startSeededS3(join(options.directory, 'reference'), BUCKET)
    try {
      const reference = appOver(
        storeFor(clean.endpoint, BUCKET),
        { freshMs: 0 },
        silentLogger,
        { secrets: [options.secret] },
        parseFeedCatalog(readJsonDirectory(ROOT, feedsDir)),
      )
      for (const payload of acknowledged) {
        const res = await postRepublish(reference, payload, { secret: options.secret })
        if (res.status !== 200) report.invalid.push(`reference webhook: ${res.status}`)
      }
      for (const path of STORM_FEEDS) {
        const expected = itemsOf(await (await reference.request(path)).text())
        for (let i = 0; i < report.instances; i++) {
          const text = finalTexts.get(`${i} ${path}`)
          if (text !== undefined && JSON.stringify(itemsOf(text)) !== JSON.stringify(expected))
            report.lost.push(`instance ${i} ${path}: differs from a single-instance run of the same webhooks`)
        }
      }
    } finally {
      await clean.stop()
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
    await proxy?.close()
    await s3?.stop()
  }
  return report
}
