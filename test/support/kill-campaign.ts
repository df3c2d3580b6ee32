import { seededRandom } from './seeded.ts'
import { itemsOf, postSigned, startSilkfeed, stormStory, type SilkfeedProcess } from './silkfeed-process.ts'

/** What a kill campaign saw; every "lost", "unreadable" and "unfinished" count must be 0. */
export interface KillReport {
  kills: number
  requests: number
  acknowledged: number
  /** Acknowledged stories missing from a feed after a restart. */
  lost: string[]
  /** Feeds that did not answer 200 with a parseable document after a restart. */
  unreadable: string[]
  /** Unacknowledged webhooks that a retry did not complete, or whose story is then missing. */
  unfinished: string[]
  /** Starts that failed. */
  failedStarts: string[]
  peakRss: number
}

const CHECKED_FEEDS = ['/ru/sco.json', '/kk/latest.json', '/kk-latn/sco.json']

/**
 * The production entry killed with SIGKILL at seeded moments of a storm of webhooks, and started again
 * against the same store, `cycles` times. Story `first + k` goes in webhook k; a story is checked by
 * its title in each feed of CHECKED_FEEDS (keep `first + stories` under a feed's item limit).
 */
export async function runKillCampaign(options: {
  entry: string
  s3Endpoint: string
  bucket: string
  secret: string
  cycles: number
  seed: number
  /** Story numbers start here, so several campaigns on one store do not collide. */
  first?: number
  editors?: number
  /**
   * A time (ms since the epoch) after which no cycle starts once `minCycles` (default 1) have run:
   * the last restart and checks follow.
   */
  until?: number
  minCycles?: number
}): Promise<KillReport> {
  const random = seededRandom(options.seed)
  const first = options.first ?? 0
  const report: KillReport = {
    kills: 0,
    requests: 0,
    acknowledged: 0,
    lost: [],
    unreadable: [],
    unfinished: [],
    failedStarts: [],
    peakRss: 0,
  }
  const acknowledged = new Set<number>()
  const pending = new Set<number>()
  let next = first
  const start = async (): Promise<SilkfeedProcess | undefined> => {
    try {
      return await startSilkfeed({
        entry: options.entry,
        s3Endpoint: options.s3Endpoint,
        bucket: options.bucket,
        secret: options.secret,
        env: { LOG_LEVEL: 'error', HOT_CACHE_MS: '0' },
      })
    } catch (error) {
      report.failedStarts.push((error as Error).message.slice(0, 300))
      return undefined
    }
  }
  /** Every acknowledged story is in every checked feed, and every feed reads whole. */
  const check = async (base: string, stories: Iterable<number>, into: string[]) => {
    for (const path of CHECKED_FEEDS) {
      report.requests++
      const res = await fetch(`${base}${path}`).catch(() => undefined)
      const text = (await res?.text()) ?? ''
      let items: string[]
      try {
        if (res?.status !== 200) throw new Error(String(res?.status))
        items = itemsOf(text)
      } catch {
        report.unreadable.push(`${path}: ${res?.status ?? 'no answer'} ${text.slice(0, 120)}`)
        continue
      }
      for (const n of stories) {
        if (!items.some((item) => item.includes(`· ${n}.1 |`))) into.push(`story ${n} missing from ${path}`)
      }
    }
  }

  for (let cycle = 0; cycle <= options.cycles; cycle++) {
    const server = await start()
    if (!server) break
    await check(server.base, acknowledged, report.lost)
    const late = cycle >= (options.minCycles ?? 1) && Date.now() > (options.until ?? Infinity)
    if (cycle === options.cycles || late) {
      // The end: every request the kills left unanswered, sent again (and again after a 503 with
      // Retry-After, as a client does, up to 10 times), completes.
      for (const n of pending) {
        for (let attempt = 1; ; attempt++) {
          report.requests++
          const answer = await postSigned(server.base, { upsert: stormStory(n) }, options.secret)
          if (answer.status === 200) acknowledged.add(n)
          else if (answer.status === 503 && answer.retryAfter && attempt < 10) {
            await new Promise((resolve) => setTimeout(resolve, 1000))
            continue
          } else report.unfinished.push(`story ${n}: ${answer.status} ${answer.text.slice(0, 120)}`)
          break
        }
      }
      await check(server.base, pending, report.unfinished)
      report.peakRss = Math.max(report.peakRss, await server.rss())
      await server.stop()
      break
    }

    const killAfter = 1 + Math.floor(random() * 4)
    const killDelay = Math.floor(random() * 400)
    let cycleAcks = 0
    let killed = false
    const killing = new Promise<void>((resolve) => {
      const editor = async () => {
        while (!killed) {
          const n = next++
          pending.add(n)
          report.requests++
          const answer = await postSigned(server.base, { upsert: stormStory(n) }, options.secret)
          if (answer.status === 200) {
            pending.delete(n)
            acknowledged.add(n)
            report.acknowledged++
            if (++cycleAcks === killAfter) setTimeout(resolve, killDelay)
          }
        }
      }
      for (let e = 0; e < (options.editors ?? 2); e++) void editor()
    })
    await killing
    killed = true
    report.peakRss = Math.max(report.peakRss, await server.rss())
    await server.kill()
    report.kills++
  }
  return report
}
