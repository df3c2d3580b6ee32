import { XMLValidator } from 'fast-xml-parser'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { appOver, TEST_SECRET } from '../support/app.ts'
import { NO_FAULTS, startFaultProxy, type FaultProxy, type FaultRates } from '../support/fault-proxy.ts'
import { startSeededS3, storeFor } from '../support/s3.ts'
import {
  buildServeEntry,
  itemsOf,
  postSigned,
  startSilkfeed,
  stormStory,
  STORM_FEEDS,
  type SilkfeedProcess,
} from '../support/silkfeed-process.ts'
import { postRepublish } from '../support/webhook.ts'

// A storm of signed webhooks and polling readers against the production entry, whose storage is
// s3rver behind a proxy that injects S3 faults. FAULT_SEED and FAULT_WEBHOOKS replay or lengthen it.
const SEED = Number(process.env.FAULT_SEED ?? 15_4)
const WEBHOOKS = Number(process.env.FAULT_WEBHOOKS ?? 10)
const BUCKET = 'faults'
const RATES: FaultRates = {
  error500: 0.012,
  slowDown: 0.012,
  drop: 0.008,
  resetRequest: 0.008,
  resetResponse: 0.01,
  latency: 0.1,
  latencyMs: 20,
}

/** Webhook `i`: story i, and from the fourth on a second version of story i - 3 as well. */
function payloadOf(i: number) {
  return { upsert: [...stormStory(i), ...(i >= 3 ? stormStory(i - 3, 2) : [])] }
}

/** What a reader checks of a 200: the document parses as what it says it is. */
function validDocument(path: string, text: string): boolean {
  if (path.endsWith('.json')) {
    try {
      return Array.isArray((JSON.parse(text) as { items?: unknown }).items)
    } catch {
      return false
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the validator the other parse-back tests use
  return XMLValidator.validate(text) === true && /<\/(rss|feed)>\s*$/.test(text)
}

let root: string
let s3: EmbeddedS3 | undefined
let proxy: FaultProxy
let silkfeed: SilkfeedProcess | undefined
let removeEntry: (() => void) | undefined

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'silkfeed-faults-'))
  const { embedded } = await startSeededS3(join(root, 'faulty'), BUCKET)
  s3 = embedded
  proxy = await startFaultProxy({ upstreamPort: embedded.port, rates: NO_FAULTS, seed: SEED })
  const built = await buildServeEntry()
  removeEntry = built.remove
  silkfeed = await startSilkfeed({
    entry: built.entry,
    s3Endpoint: proxy.endpoint,
    bucket: BUCKET,
    secret: TEST_SECRET,
    env: {
      STORAGE_CONCURRENCY: '8',
      HOT_CACHE_MS: '200',
      STORAGE_TIMEOUT_MS: '2000',
      RETRY_AFTER_SECONDS: '1',
      LOG_LEVEL: 'error',
    },
  })
})

afterAll(async () => {
  await silkfeed?.stop()
  await (proxy as FaultProxy | undefined)?.close()
  await s3?.stop()
  removeEntry?.()
  rmSync(root, { recursive: true, force: true })
})

describe('storage that fails, throttles, drops and resets connections', () => {
  it('answers every webhook 200 or 503 with Retry-After, serves readers only whole feeds, and ends where a fault-free run ends', async () => {
    const { base } = silkfeed!
    const readerPaths = STORM_FEEDS.flatMap((p) => [
      p,
      p.replace('.json', '.rss'),
      p.replace('.json', '.atom'),
    ])
    for (const path of readerPaths) expect((await fetch(`${base}${path}`)).status).toBe(200)
    proxy.setRates(RATES)

    const unexpected: string[] = []
    const refused: number[] = []
    let next = 0
    let storming = true
    const editor = async () => {
      while (next < WEBHOOKS) {
        const i = next++
        const answer = await postSigned(base, payloadOf(i), TEST_SECRET)
        if (answer.status === 503 && answer.retryAfter) refused.push(i)
        else if (answer.status !== 200) unexpected.push(`webhook ${i}: ${answer.status} ${answer.text}`)
      }
    }
    const invalid: string[] = []
    const lastModified = new Map<string, number>()
    const reader = async (offset: number) => {
      for (let n = offset; storming; n++) {
        const path = readerPaths[n % readerPaths.length]!
        const res = await fetch(`${base}${path}`).catch(() => undefined)
        const text = (await res?.text()) ?? 'no answer'
        if (res?.status !== 200 || !validDocument(path, text)) {
          invalid.push(`${path}: ${res?.status} ${text.slice(0, 200)}`)
          continue
        }
        const modified = Date.parse(res.headers.get('last-modified') ?? '')
        if (modified < (lastModified.get(path) ?? 0)) invalid.push(`${path} went back to ${modified}`)
        lastModified.set(path, modified)
      }
    }
    const readers = [reader(0)]
    await Promise.all([editor(), editor()])

    // Each refused webhook, sent again until it lands (the faults still on).
    for (const i of refused) {
      for (let attempt = 1; ; attempt++) {
        const answer = await postSigned(base, payloadOf(i), TEST_SECRET)
        if (answer.status === 200) break
        if (answer.status !== 503 || !answer.retryAfter) unexpected.push(`retry of ${i}: ${answer.status}`)
        if (attempt === 30) throw new Error(`webhook ${i} still refused after 30 retries`)
      }
    }
    storming = false
    await Promise.all(readers)
    proxy.setRates(NO_FAULTS)

    expect(unexpected).toEqual([])
    expect(invalid).toEqual([])
    // The faults did happen, and some reached the editors.
    expect(proxy.faults()).toBeGreaterThan(20)

    // The same webhooks, one at a time, against a store that never fails.
    const { embedded: clean } = await startSeededS3(join(root, 'clean'), BUCKET)
    try {
      const reference = appOver(storeFor(clean.endpoint, BUCKET), { freshMs: 0 })
      for (let i = 0; i < WEBHOOKS; i++)
        expect((await postRepublish(reference, payloadOf(i))).status).toBe(200)
      await new Promise((resolve) => setTimeout(resolve, 300))
      for (const path of STORM_FEEDS) {
        const expected = itemsOf(await (await reference.request(path)).text())
        const served = itemsOf(await (await fetch(`${base}${path}`)).text())
        expect(served, path).toEqual(expected)
        expect(served.filter((item) => item.includes('storm-')).length, path).toBeGreaterThan(0)
      }
    } finally {
      await clean.stop()
    }
  }, 240_000)
})
