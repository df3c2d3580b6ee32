import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { signBody } from '../../src/http/signature.ts'
import worker from '../../src/platform/worker.ts'
import { PreconditionFailedError } from '../../src/ports/object-store.ts'
import { R2ObjectStore, type R2Bucket } from '../../src/storage/r2-object-store.ts'

// The Worker with a native R2 binding (FEEDS_BUCKET) in workerd's local R2: no S3 endpoint and no
// credentials, so every storage request goes through the binding.

const SECRET = 'workerd-test-secret-0123456789abcdef'
const BASE = 'https://feeds.silkfeed.test'
const bucket = env.R2_TEST_BUCKET as R2Bucket

const S3_ONLY = new Set(['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'])
const r2Env: Record<string, unknown> = {
  ...Object.fromEntries(Object.entries(env).filter(([name]) => !S3_ONLY.has(name))),
  FEEDS_BUCKET: bucket,
}

async function call(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext()
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), r2Env, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

async function republish(payload: unknown): Promise<Response> {
  const body = JSON.stringify(payload)
  const signature = await signBody(new TextEncoder().encode(body), SECRET, Date.now() / 1000)
  return call('/webhooks/republish', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'silkfeed-signature': signature },
    body,
  })
}

const story = (id: string, title: string, updatedAt?: string) => ({
  id,
  locale: 'ru',
  title,
  url: `https://news.silkfeed.dev/ru/2026/12/05/${id}`,
  publishedAt: '2026-12-05T10:00:00+03:00',
  ...(updatedAt && { updatedAt }),
  sections: ['sco'],
})

const bytes = (text: string) => new TextEncoder().encode(text)
const meta = { contentType: 'text/plain' }

describe('the Worker on a native R2 binding (FEEDS_BUCKET) in workerd', () => {
  it('publishes through the webhook and serves the feeds from R2, then publishes a correction over them', async () => {
    const id = `r2-${crypto.randomUUID().slice(0, 8)}`
    expect((await republish({ upsert: [story(id, 'Первая версия')] })).status).toBe(200)
    // What the webhook stored is in the bound bucket itself.
    const listed = await bucket.list({ prefix: 'rendered/sco/' })
    expect(listed.objects.map((o) => o.key)).toContain('rendered/sco/ru.json')

    const feed = (await (await call('/ru/sco.json')).json()) as { items: { id: string; title: string }[] }
    expect(feed.items.find((i) => i.id.includes(`/${id}/`))?.title).toBe('Первая версия')

    // The second publish replaces the stored bundles with conditional writes on R2's ETags.
    const corrected = story(id, 'Вторая версия', new Date().toISOString())
    expect((await republish({ upsert: [corrected] })).status).toBe(200)
    const atom = await (await call('/ru/sco.atom')).text()
    expect(atom).toContain('Вторая версия')
    expect(atom).not.toContain('Первая версия')
    expect((await call('/readyz')).status).toBe(200)
  })

  it('refuses a conditional write made on a stale ETag, or over an object that exists', async () => {
    const store = new R2ObjectStore(bucket)
    const key = `test/conditional-${crypto.randomUUID()}`
    const first = await store.put(key, bytes('one'), meta, { ifNoneMatch: '*' })
    await expect(store.put(key, bytes('again'), meta, { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    )
    const second = await store.put(key, bytes('two'), meta, { ifMatch: first.etag })
    await expect(store.put(key, bytes('stale'), meta, { ifMatch: first.etag })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    )
    const stored = await store.get(key)
    expect(new TextDecoder().decode(stored!.body)).toBe('two')
    expect(stored!.etag).toBe(second.etag)
    expect(await store.getIfChanged(key, second.etag)).toBe('unchanged')
    expect(await store.getIfChanged(key, first.etag)).toMatchObject({ etag: second.etag })
    expect(await store.get(`${key}-missing`)).toBeNull()
  })

  it('lists past a page of 1000 keys with cursors, from a start key, and deletes in batches', async () => {
    const store = new R2ObjectStore(bucket)
    const prefix = `test/list-${crypto.randomUUID().slice(0, 8)}/`
    const keys = Array.from({ length: 1005 }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`)
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => store.put(k, bytes(k), meta)))
    }
    expect(await store.list(prefix)).toEqual(keys)
    expect(await store.list(prefix, { startAfter: keys[1001] })).toEqual(keys.slice(1002))
    await store.delete(keys)
    expect(await store.list(prefix)).toEqual([])
  })
})
