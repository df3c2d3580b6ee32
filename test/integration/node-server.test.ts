import { serve, type ServerType } from '@hono/node-server'
import { XMLParser } from 'fast-xml-parser'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FORMATS } from '../../src/domain/feed-definition.ts'
import { LOCALES } from '../../src/domain/locale.ts'
import { startEmbeddedS3, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { decodeBundle } from '../../src/services/feed-bundle.ts'
import { appOver } from '../support/app.ts'
import { startSeededS3, storeFor } from '../support/s3.ts'

let s3: EmbeddedS3
let server: ServerType
let base: string
let directory: string

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-node-'))
  ;({ embedded: s3 } = await startSeededS3(directory, 'silkfeed-it'))
  const app = appOver(storeFor(s3.endpoint, 'silkfeed-it', 1500), { freshMs: 0 }, undefined, {}, undefined, {
    readyCacheMs: 0,
  })
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

describe('the Node server over real HTTP, against s3rver', () => {
  it.each(
    LOCALES.flatMap((locale) =>
      ['latest', 'sco', 'summaries'].flatMap((feed) => FORMATS.map((f) => [locale, feed, f])),
    ),
  )('serves /%s/%s.%s from articles in storage', async (locale, feed, format) => {
    const res = await fetch(`${base}/${locale}/${feed}.${format}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{22}(-gz|-br)?"$/)
    const text = await res.text()
    if (format === 'json') expect(JSON.parse(text).items.length).toBeGreaterThan(0)
    else expect(new XMLParser().parse(text)).toBeTruthy()
  })

  it('stores each rendering in the bucket, where the next request finds it', async () => {
    // Asked here, so the rendering is there whichever tests ran before.
    expect((await fetch(`${base}/ru/sco.rss`)).status).toBe(200)
    const stored = await storeFor(s3.endpoint, 'silkfeed-it').get('rendered/sco/ru.rss')
    expect(stored).not.toBeNull()
    const res = await fetch(`${base}/ru/sco.rss`, { headers: { 'accept-encoding': 'identity' } })
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(
      decodeBundle(stored!.body)!.variants.identity.body,
    )
  })

  it('answers HEAD like GET, without a body', async () => {
    const get = await fetch(`${base}/zh/sco.atom`)
    const head = await fetch(`${base}/zh/sco.atom`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'))
    expect(await head.text()).toBe('')
  })

  it('reports storage as reachable on /readyz', async () => {
    const res = await fetch(`${base}/readyz`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { storage: { status: string } }).storage.status).toBe('ok')
  })

  it('serves stale copies while storage is down, 503 for feeds never served, and recovers', async () => {
    const before = await fetch(`${base}/kk/latest.rss`)
    const etag = before.headers.get('etag')
    const port = s3.port
    await s3.stop()

    const stale = await fetch(`${base}/kk/latest.rss`)
    expect(stale.status).toBe(200)
    expect(stale.headers.get('etag')).toBe(etag)
    expect(stale.headers.get('last-modified')).toBe(before.headers.get('last-modified'))
    expect(Number(stale.headers.get('age'))).toBeGreaterThanOrEqual(0)

    // A second instance that never served the feed has nothing to fall back on.
    const cold = appOver(storeFor(s3.endpoint, 'silkfeed-it', 1500))
    const res = await cold.request('/kk/latest.rss')
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('7')
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    const text = await res.text()
    expect(JSON.parse(text).code).toBe('STORAGE_UNAVAILABLE')
    expect(text).not.toMatch(/at .*\.ts:\d+/)
    expect((await fetch(`${base}/readyz`)).status).toBe(503)
    expect((await fetch(`${base}/healthz`)).status).toBe(200)

    s3 = await startEmbeddedS3({ directory, port, buckets: ['silkfeed-it'] })
    const recovered = await fetch(`${base}/kk/latest.rss`)
    expect(recovered.status).toBe(200)
    expect(recovered.headers.get('age')).toBeNull()
    expect((await cold.request('/kk/latest.rss')).status).toBe(200)
  })
})
