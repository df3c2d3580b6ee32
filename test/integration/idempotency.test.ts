import { serve, type ServerType } from '@hono/node-server'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { IDEMPOTENCY_LEASE_MS } from '../../src/http/idempotency.ts'
import { signBody } from '../../src/http/signature.ts'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import type { ObjectStore } from '../../src/ports/object-store.ts'
import { KEYS } from '../../src/services/storage-keys.ts'
import { appOver, TEST_SECRET } from '../support/app.ts'
import { startConditionalProxy, type ConditionalProxy } from '../support/conditional-proxy.ts'
import { startSeededS3, storeFor } from '../support/s3.ts'

// Two requests with one Idempotency-Key arriving together: the key is reserved before the work, so
// exactly one of them does it. Over HTTP, against s3rver: one instance directly, and two instances
// sharing the bucket through a proxy that keeps to conditional writes (as AWS S3 and R2 do).

const BUCKET = 'silkfeed-idem'
let s3: EmbeddedS3
let store: ObjectStore
let proxy: ConditionalProxy
let directory: string
const servers: ServerType[] = []
let single: string
let instances: [string, string]

function story(id: string, title: string): Article {
  return {
    id,
    locale: 'ru',
    title,
    url: `https://news.silkfeed.dev/ru/2026/11/24/${id}`,
    publishedAt: '2026-11-24T10:00:00+03:00',
    sections: ['sco'],
  }
}

async function post(base: string, payload: unknown, key: string): Promise<Response> {
  const body = JSON.stringify(payload)
  const signature = await signBody(new TextEncoder().encode(body), TEST_SECRET, Date.now() / 1000)
  return fetch(`${base}/webhooks/republish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'silkfeed-signature': signature, 'idempotency-key': key },
    body,
  })
}

async function answer(res: Response) {
  return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: await res.json() }
}

/** Is a version of the story stored? */
async function stored(id: string): Promise<boolean> {
  return (await store.list(KEYS.versionsOf('ru', id))).length > 0
}

/** Change-log entries: one per republish that did its work. */
async function logEntries(): Promise<number> {
  return (await store.list(KEYS.log)).length
}

async function listen(over: ObjectStore): Promise<string> {
  const app = appOver(over, { freshMs: 0 })
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-idempotency-'))
  ;({ embedded: s3 } = await startSeededS3(directory, BUCKET))
  store = storeFor(s3.endpoint, BUCKET)
  proxy = await startConditionalProxy({ upstreamPort: s3.port, bucket: BUCKET })
  single = await listen(storeFor(s3.endpoint, BUCKET))
  instances = [await listen(storeFor(proxy.endpoint, BUCKET)), await listen(storeFor(proxy.endpoint, BUCKET))]
})

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve))
  await proxy.close()
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

/** Sends C and D at once with one key (to `bases[0]` and `bases[1]`): exactly one is applied. */
async function differentBodies(bases: [string, string], prefix: string) {
  const key = `${prefix}-key`
  const c = { upsert: [story(`${prefix}-c`, 'Версия C')] }
  const d = { upsert: [story(`${prefix}-d`, 'Версия D')] }
  const logBefore = await logEntries()
  const answers = await Promise.all([post(bases[0], c, key), post(bases[1], d, key)]).then((r) =>
    Promise.all(r.map(answer)),
  )
  expect(answers.map((a) => a.status).sort()).toEqual([200, 409])
  const winner = answers[0]!.status === 200 ? 0 : 1
  expect(answers[1 - winner]!.body.code).toBe('IDEMPOTENCY_CONFLICT')
  expect([await stored(`${prefix}-c`), await stored(`${prefix}-d`)]).toEqual([winner === 0, winner === 1])
  expect((await logEntries()) - logBefore).toBe(1)

  // Sent again: the applied one replays its answer, the other stays refused.
  const [applied, refused] = winner === 0 ? [c, d] : [d, c]
  const again = await answer(await post(bases[1], applied, key))
  expect(again).toEqual({ status: 200, replayed: 'true', body: answers[winner]!.body })
  expect((await answer(await post(bases[0], refused, key))).status).toBe(409)
  expect((await logEntries()) - logBefore).toBe(1)
}

/** Sends one body three times at once with one key (a CMS retrying): the work is done once. */
async function sameBody(bases: string[], prefix: string) {
  const key = `${prefix}-key`
  const payload = { upsert: [story(`${prefix}-e`, 'Повтор')] }
  const logBefore = await logEntries()
  const answers = await Promise.all(bases.map((base) => post(base, payload, key))).then((r) =>
    Promise.all(r.map(answer)),
  )
  expect(answers.map((a) => a.status)).toEqual(bases.map(() => 200))
  for (const a of answers) expect(a.body).toEqual(answers[0]!.body)
  expect(answers.filter((a) => a.replayed === null)).toHaveLength(1)
  expect((await logEntries()) - logBefore).toBe(1)
}

describe('one instance: concurrent requests with one Idempotency-Key', () => {
  it('applies only one of two different bodies; the other is a 409, also when sent again', async () => {
    await differentBodies([single, single], 'one-diff')
  })

  it('does the work of one body sent three times at once only once, and answers all three alike', async () => {
    await sameBody([single, single, single], 'one-same')
  })
})

describe('two instances on one bucket that keeps to conditional writes', () => {
  it('applies only one of two different bodies sent to different instances', async () => {
    await differentBodies(instances, 'two-diff')
    expect(proxy.counts.refused).toBeGreaterThan(0)
  })

  it('does the work of one body sent to both instances (and twice to one) only once', async () => {
    await sameBody([instances[0], instances[1], instances[0]], 'two-same')
  })
})

describe('a reservation in storage', () => {
  const recordKey = (key: string) => KEYS.idempotency(createHash('sha256').update(key).digest('hex'))
  const reserve = (key: string, body: string, at: number) =>
    store.put(
      recordKey(key),
      new TextEncoder().encode(
        JSON.stringify({
          state: 'pending',
          bodyDigest: createHash('sha256').update(body).digest('hex'),
          at: new Date(at).toISOString(),
        }),
      ),
      { contentType: 'application/json; charset=utf-8' },
    )

  it('left by a crashed request blocks the key no longer than the lease', async () => {
    const payload = { upsert: [story('crashed-f', 'После сбоя')] }
    await reserve('crashed-key', JSON.stringify(payload), Date.now() - IDEMPOTENCY_LEASE_MS - 1000)
    const res = await answer(await post(single, payload, 'crashed-key'))
    expect(res).toMatchObject({ status: 200, replayed: null })
    expect(await stored('crashed-f')).toBe(true)
    const again = await answer(await post(single, payload, 'crashed-key'))
    expect(again).toEqual({ status: 200, replayed: 'true', body: res.body })
  })

  it("held by another instance's request is waited for, then its answer is replayed", async () => {
    const payload = { upsert: [story('waited-g', 'Подождите')] }
    const body = JSON.stringify(payload)
    await reserve('waited-key', body, Date.now())
    const pending = post(single, payload, 'waited-key').then(answer)
    await new Promise((resolve) => setTimeout(resolve, 500))
    const response = { status: 'ok', stored: [], feeds: [], from: 'the other instance' }
    const digest = createHash('sha256').update(body).digest('hex')
    const record = { bodyDigest: digest, at: new Date().toISOString(), response }
    await store.put(recordKey('waited-key'), new TextEncoder().encode(JSON.stringify(record)), {
      contentType: 'application/json; charset=utf-8',
    })
    expect(await pending).toEqual({ status: 200, replayed: 'true', body: response })
    expect(await stored('waited-g')).toBe(false)
  })
})
