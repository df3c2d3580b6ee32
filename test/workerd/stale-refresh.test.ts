import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

const worker = (exports as { default: { fetch(input: string, init?: RequestInit): Promise<Response> } })
  .default

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('a stale hot feed in workerd', () => {
  // workerd drops the unfinished work of an answered request unless it is handed to waitUntil; the
  // next request past the freshness bound joins that refresh, and without waitUntil waited for good.
  it('answers the request after the one that was served stale (its refresh outlives that response)', async () => {
    const url = 'https://feeds.silkfeed.test/ru/summaries.atom'
    expect((await worker.fetch(url)).status).toBe(200)
    await sleep(3000)
    const stale = await worker.fetch(url)
    await stale.arrayBuffer()
    // Past HOT_CACHE_MS (2 s): served from memory, with its refresh started and not waited for.
    expect(Number(stale.headers.get('age'))).toBeGreaterThanOrEqual(2)
    await sleep(5000)
    const next = await Promise.race([worker.fetch(url), sleep(10_000).then(() => undefined)])
    expect(next?.status).toBe(200)
  }, 60_000)
})
