import { describe, expect, it } from 'vitest'
import { signBody } from '../../src/http/signature.ts'
import { appOver, TEST_SECRET } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { loadSamples } from '../support/samples.ts'

const encoder = new TextEncoder()

async function appWith(webhook: { maxBytes?: number; maxConcurrentBodies?: number; bodyTimeoutMs?: number }) {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  const app = appOver(store, {}, undefined, {}, undefined, {
    webhook: { secrets: [TEST_SECRET], maxBytes: 64 * 1024, ...webhook },
  })
  return { store, app }
}

function keysOf(store: MemoryObjectStore) {
  return new Map([...store.objects].map(([k, v]) => [k, v.etag]))
}

async function signedHeaders(body: string, contentType = 'application/json') {
  const signature = await signBody(encoder.encode(body), TEST_SECRET, Date.now() / 1000)
  return { 'content-type': contentType, 'silkfeed-signature': signature }
}

/**
 * A request body that sends `first` when it is first read, then nothing more until `release`;
 * `reading` settles once the server has started reading it.
 */
function stalledBody(first: string) {
  let release = () => {}
  let started = () => {}
  const reading = new Promise<void>((resolve) => (started = resolve))
  const held = new Promise<void>((resolve) => (release = resolve))
  let sent = false
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!sent) {
          sent = true
          controller.enqueue(encoder.encode(first))
          started()
          return
        }
        await held
        controller.close()
      },
    },
    { highWaterMark: 0 },
  )
  return { body, reading, release: () => release() }
}

const rebuild = JSON.stringify({ rebuild: ['sco'] })

describe('webhook bodies cost nothing until the request is plausible', () => {
  it.each([
    ['no signature', async () => ({ 'content-type': 'application/json' }), 401, 'BAD_SIGNATURE'],
    [
      'a malformed signature',
      async () => ({ 'content-type': 'application/json', 'silkfeed-signature': 't=1,v1=zz' }),
      401,
      'BAD_SIGNATURE',
    ],
    [
      'a stale signature',
      async () => ({
        'content-type': 'application/json',
        'silkfeed-signature': await signBody(encoder.encode(rebuild), TEST_SECRET, Date.now() / 1000 - 600),
      }),
      401,
      'BAD_SIGNATURE',
    ],
    ['a text content type', async () => signedHeaders(rebuild, 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('answers %s without waiting for a body that never ends', async (_name, headers, status, code) => {
    const { app } = await appWith({})
    const { body } = stalledBody('{"rebuild":')
    const res = await app.request('/webhooks/republish', {
      method: 'POST',
      headers: await headers(),
      body,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(status)
    expect(((await res.json()) as { code: string }).code).toBe(code)
  })

  it('refuses a body in a charset other than UTF-8 with 415, changing nothing', async () => {
    const { app, store } = await appWith({})
    const before = keysOf(store)
    for (const charset of ['utf-16', 'iso-8859-1', '"utf-16le"']) {
      const res = await app.request('/webhooks/republish', {
        method: 'POST',
        headers: await signedHeaders(rebuild, `application/json; charset=${charset}`),
        body: rebuild,
      })
      expect(res.status).toBe(415)
      expect(((await res.json()) as { detail: string }).detail).toMatch(/UTF-8/)
    }
    expect(keysOf(store)).toEqual(before)
  })

  it('accepts UTF-8 however it is spelled, or no charset at all', async () => {
    const { app } = await appWith({})
    for (const contentType of [
      'application/json',
      'application/json; charset=utf-8',
      'application/json;charset="UTF-8"',
      'application/merge-patch+json; charset=UTF-8',
    ]) {
      const res = await app.request('/webhooks/republish', {
        method: 'POST',
        headers: await signedHeaders(rebuild, contentType),
        body: rebuild,
      })
      expect(res.status, contentType).toBe(200)
    }
  })

  it('answers 503 with Retry-After when the configured number of bodies are already being read', async () => {
    const { app } = await appWith({ maxConcurrentBodies: 1 })
    const slow = stalledBody(rebuild)
    const first = app.request('/webhooks/republish', {
      method: 'POST',
      headers: await signedHeaders(rebuild),
      body: slow.body,
      duplex: 'half',
    } as RequestInit)
    await slow.reading
    const second = await app.request('/webhooks/republish', {
      method: 'POST',
      headers: await signedHeaders(rebuild),
      body: rebuild,
    })
    expect(second.status).toBe(503)
    expect(second.headers.get('retry-after')).toBe('7')
    expect(((await second.json()) as { code: string }).code).toBe('WEBHOOK_BUSY')

    slow.release()
    expect((await first).status).toBe(200)
    const third = await app.request('/webhooks/republish', {
      method: 'POST',
      headers: await signedHeaders(rebuild),
      body: rebuild,
    })
    expect(third.status).toBe(200)
  })

  it('answers 408 when a body does not arrive within the configured time, changing nothing', async () => {
    const { app, store } = await appWith({ bodyTimeoutMs: 200 })
    const before = keysOf(store)
    const { body } = stalledBody('{"rebuild":')
    const res = await app.request('/webhooks/republish', {
      method: 'POST',
      headers: await signedHeaders(rebuild),
      body,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(408)
    const problem = (await res.json()) as { code: string; detail: string }
    expect(problem.code).toBe('REQUEST_TIMEOUT')
    expect(problem.detail).toMatch(/1 seconds/)
    expect(keysOf(store)).toEqual(before)
  })
})

describe('problem documents quote only a short excerpt of the input', () => {
  it('truncates a huge unknown field name in the 422', async () => {
    const { app } = await appWith({ maxBytes: 2 * 1024 * 1024 })
    const name = `x${'y'.repeat(900 * 1024)}`
    const body = JSON.stringify({ rebuild: ['sco'], [name]: 1 })
    const res = await app.request('/webhooks/republish', {
      method: 'POST',
      headers: await signedHeaders(body),
      body,
    })
    expect(res.status).toBe(422)
    const text = await res.text()
    expect(text.length).toBeLessThan(2000)
    const { problems } = JSON.parse(text) as { problems: { path: string; message: string }[] }
    expect(problems[0]!.message).toContain(`"x${'y'.repeat(99)}…"`)
    expect(problems[0]!.message).toMatch(/remove them$/)
  })

  it('truncates a huge field name in a problem path', async () => {
    const { app } = await appWith({ maxBytes: 2 * 1024 * 1024 })
    const body = JSON.stringify({ upsert: [{ ['z'.repeat(500_000)]: { a: 1 } }] })
    const res = await app.request('/webhooks/republish', {
      method: 'POST',
      headers: await signedHeaders(body),
      body,
    })
    expect(res.status).toBe(422)
    const text = await res.text()
    expect(text.length).toBeLessThan(4000)
    expect(text).not.toContain('z'.repeat(101))
  })

  it('truncates a long path in a 404', async () => {
    const { app } = await appWith({})
    const path = `/${'p'.repeat(20_000)}/q/r`
    const res = await app.request(path)
    expect(res.status).toBe(404)
    const text = await res.text()
    expect(text.length).toBeLessThan(2000)
    const problem = JSON.parse(text) as { instance: string; detail: string }
    expect(problem.instance).toBe(`/${'p'.repeat(99)}…`)
    expect(problem.detail).toContain('…')
  })
})
