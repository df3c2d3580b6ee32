import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, inject, it, vi } from 'vitest'
import { signBody } from '../../src/http/signature.ts'
import worker from '../../src/platform/worker.ts'

// An embargoed story in workerd: hidden from the public feed, seen by the first GET at its release
// time with no webhook, and announced to the WebSub hub by the every-minute Cron Trigger.

const SECRET = 'workerd-test-secret-0123456789abcdef'
const BASE = 'https://feeds.silkfeed.test'

const workerEnv = (): Record<string, unknown> => ({ ...env, WEBSUB_HUBS: inject('hubUrl') })

async function call(vars: Record<string, unknown>, path: string, init?: RequestInit) {
  const ctx = createExecutionContext()
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), vars, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

afterEach(() => {
  vi.useRealTimers()
})

describe('releases from embargo in workerd', () => {
  it('keep the story out until its time, then a GET shows it and the Cron Trigger tells the hub', async () => {
    const id = `embargo-${crypto.randomUUID().slice(0, 8)}`
    const releaseAt = Math.ceil((Date.now() + 3_600_000) / 1000) * 1000
    const story = {
      id,
      locale: 'kk',
      title: 'ШЫҰ демонстрациялық аймағының келісімі',
      url: `https://news.silkfeed.dev/kk/2026/12/05/${id}`,
      publishedAt: '2026-12-05T10:00:00+05:00',
      sections: ['sco'],
      embargoUntil: new Date(releaseAt).toISOString(),
    }
    const today = workerEnv()
    const body = JSON.stringify({ upsert: [story] })
    const signature = await signBody(new TextEncoder().encode(body), SECRET, Date.now() / 1000)
    const posted = await call(today, '/webhooks/republish', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'silkfeed-signature': signature },
      body,
    })
    expect(posted.status).toBe(200)
    const before = await call(today, '/kk/sco.json')
    expect(await before.text()).not.toContain(id)
    expect(before.headers.get('cache-control')).toMatch(/max-age=(\d+)/)
    const maxAge = Number(/max-age=(\d+)/.exec(before.headers.get('cache-control')!)![1])
    expect(Date.now() + maxAge * 1000).toBeLessThanOrEqual(releaseAt)

    // The release time passes: no webhook, only a GET and the every-minute Cron Trigger.
    // An isolate wired then (it reads the clock it was wired with), over the same bucket.
    vi.useFakeTimers({ toFake: ['Date'], now: releaseAt + 30_000 })
    const later = workerEnv()
    expect(await (await call(later, '/kk/sco.json')).text()).toContain(id)
    const ctx = createExecutionContext()
    worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), later, ctx)
    await waitOnExecutionContext(ctx)
    vi.useRealTimers()
    const pinged = (await (await fetch(inject('hubUrl'))).json()) as string[]
    expect(pinged).toEqual(
      expect.arrayContaining(['rss', 'atom', 'json'].map((format) => `${BASE}/kk/sco.${format}`)),
    )
    expect(pinged).not.toContain(`${BASE}/kk/wire.atom`)
  })
})
