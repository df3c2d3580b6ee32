import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, inject, it, vi } from 'vitest'
import { signBody } from '../../src/http/signature.ts'
import worker from '../../src/platform/worker.ts'
import { decodeBundle } from '../../src/services/feed-bundle.ts'
import { S3ObjectStore } from '../../src/storage/s3-object-store.ts'

// The Cron Trigger in workerd: the Worker's `scheduled` handler against s3rver, in a bucket of its
// own (this test moves the clock weeks ahead, which would expire every other test's records).

const SECRET = 'workerd-test-secret-0123456789abcdef'
const BASE = 'https://feeds.silkfeed.test'
const DAY = 86_400_000

const store = new S3ObjectStore({
  endpoint: inject('s3Endpoint'),
  region: 'us-east-1',
  bucket: inject('s3CronBucket'),
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  forcePathStyle: true,
  timeoutMs: 5000,
})

/** The Worker's environment pointed at the cron bucket; a new object means a freshly wired Worker. */
const workerEnv = (): Record<string, unknown> => ({ ...env, S3_BUCKET: inject('s3CronBucket') })

async function call(workerEnv: Record<string, unknown>, path: string, init?: RequestInit) {
  const ctx = createExecutionContext()
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), workerEnv, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

async function republish(workerEnv: Record<string, unknown>, payload: unknown, key?: string) {
  const body = JSON.stringify(payload)
  const signature = await signBody(new TextEncoder().encode(body), SECRET, Date.now() / 1000)
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'silkfeed-signature': signature,
  }
  if (key) headers['idempotency-key'] = key
  return call(workerEnv, '/webhooks/republish', { method: 'POST', headers, body })
}

/** Fires the Cron Trigger as Cloudflare would, and waits for the work it hands to waitUntil. */
async function fireCron(workerEnv: Record<string, unknown>, scheduledTime: number): Promise<void> {
  const ctx = createExecutionContext()
  worker.scheduled(createScheduledController({ scheduledTime, cron: '*/15 * * * *' }), workerEnv, ctx)
  await waitOnExecutionContext(ctx)
}

async function storedAtom(): Promise<string> {
  const object = await store.get('rendered/sco/ru.atom')
  return new TextDecoder().decode(decodeBundle(object!.body)!.variants.identity.body)
}

afterEach(() => {
  vi.useRealTimers()
})

describe('the Cron Trigger (scheduled maintenance) in workerd', () => {
  it('keeps what is recent, then forgets old idempotency records and re-renders feeds whose tombstones expired', async () => {
    const id = `cron-${crypto.randomUUID().slice(0, 8)}`
    const story = {
      id,
      locale: 'ru',
      title: 'Роуд-шоу демонстрационной зоны ШОС в Ташкенте',
      url: `https://news.silkfeed.dev/ru/2026/11/24/${id}`,
      publishedAt: '2026-11-24T10:00:00+03:00',
      sections: ['sco'],
    }
    const today = workerEnv()
    const started = Date.now()
    expect((await republish(today, { upsert: [story] }, `key-${id}`)).status).toBe(200)
    expect((await republish(today, { retract: [{ id, locale: 'ru' }] })).status).toBe(200)
    expect(await storedAtom()).toMatch(new RegExp(`<at:deleted-entry[^>]*${id}`))
    expect(await store.list('idempotency/')).toHaveLength(1)

    // An hour on: nothing has expired yet.
    await fireCron(today, started + 3_600_000)
    expect(await store.list('idempotency/')).toHaveLength(1)
    expect(await storedAtom()).toMatch(new RegExp(`<at:deleted-entry[^>]*${id}`))

    // 31 days on (past IDEMPOTENCY_TTL_HOURS=24 and TOMBSTONE_DAYS=30), in an isolate wired then.
    vi.useFakeTimers({ toFake: ['Date'], now: started + 31 * DAY })
    const later = workerEnv()
    await fireCron(later, Date.now())
    expect(await store.list('idempotency/')).toEqual([])
    const atom = await storedAtom()
    expect(atom).not.toContain('at:deleted-entry')
    expect(atom).not.toContain(id)
    // What partners fetch, not only what storage holds.
    expect(await (await call(later, '/ru/sco.atom')).text()).not.toContain('at:deleted-entry')
    // The forgotten key can be used again for another body (it would be a 409 while remembered).
    const reused = await republish(later, { rebuild: ['sco'] }, `key-${id}`)
    expect(reused.status).toBe(200)
  })
})
