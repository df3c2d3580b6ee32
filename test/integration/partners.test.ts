import { serve, type ServerType } from '@hono/node-server'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import type { Logger } from '../../src/ports/observability.ts'
import { PartnerRegistry } from '../../src/services/partner-registry.ts'
import { ADMIN_SECRET, adminRequest } from '../support/admin.ts'
import { appOver } from '../support/app.ts'
import { NO_FAULTS, startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts'
import { startSeededS3, storeFor } from '../support/s3.ts'

// Two instances over one s3rver bucket, through the real AWS SDK: the admin talks to one (with the
// CLI), partners read from the other. The reader's key index has its own clock, moved by the test.
let s3: EmbeddedS3
const servers: ServerType[] = []
let adminBase: string
let readerBase: string
let readerClock = Date.now()
let directory: string
// A third instance reads the bucket through a proxy that can make every storage request fail.
let proxy: FaultProxy
let faultyBase: string
let faultyClock = Date.now()
const warnings: string[] = []
const FAULTY_STALE_MS = 60_000

async function listen(app: { fetch: (request: Request) => Response | Promise<Response> }): Promise<string> {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function instance(
  now: () => number,
  endpoint = s3.endpoint,
  more: { staleIfErrorMs?: number; logger?: Logger } = {},
) {
  const store = storeFor(endpoint, 'silkfeed-partners')
  const partners = new PartnerRegistry(store, {
    now,
    freshMs: 2000,
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
    ...more,
  })
  return appOver(store, {}, undefined, {}, undefined, { partners, adminSecrets: [ADMIN_SECRET] })
}

/** `npm run partner -- …` against the admin instance. */
async function cli(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'scripts/partner.ts', ...args, '--url', adminBase],
    { env: { ...process.env, ADMIN_SECRETS: ADMIN_SECRET } },
  )
  return JSON.parse(stdout) as Record<string, unknown>
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-partners-'))
  ;({ embedded: s3 } = await startSeededS3(directory, 'silkfeed-partners'))
  adminBase = await listen(instance(() => Date.now()))
  readerBase = await listen(instance(() => readerClock))
  proxy = await startFaultProxy({ upstreamPort: s3.port, rates: NO_FAULTS, seed: 1 })
  const logger: Logger = { info: () => {}, warn: (message) => warnings.push(message), error: () => {} }
  faultyBase = await listen(
    instance(() => faultyClock, proxy.endpoint, { staleIfErrorMs: FAULTY_STALE_MS, logger }),
  )
})

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  await proxy.close()
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

describe('partners against s3rver, managed with the CLI', () => {
  it('adds a partner whose key reads on another instance, until a revocation reaches it', async () => {
    const added = await cli('add', 'Kazinform', '--feeds', 'sco', '--locales', 'kk,kk-latn', '--full-text')
    expect(added.key).toMatch(/^sf_/)
    const key = added.key as string
    const id = added.id as string
    readerClock += 2000 // a new key, like a revocation, reaches other instances within HOT_CACHE_MS
    const res = await fetch(`${readerBase}/p/${key}/kk/sco.atom`)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toMatch(/^private/)
    expect(await res.text()).toContain('<feed')
    const forbidden = await fetch(`${readerBase}/p/${key}/ru/sco.atom`)
    expect(forbidden.status).toBe(403)

    expect(await cli('show', id)).toMatchObject({ id, name: 'Kazinform' })
    const listed = (await cli('list')).partners as { id: string }[]
    expect(listed.map((p) => p.id)).toContain(id)

    await cli('revoke', id)
    readerClock += 2000
    expect((await fetch(`${readerBase}/p/${key}/kk/sco.atom`)).status).toBe(401)
  })

  it('gives a full-text partner the body of the public excerpt feed, whose public URL has none', async () => {
    const { key } = (await cli('add', 'Steppe', '--feeds', 'summaries', '--full-text')) as { key: string }
    readerClock += 2000
    type Items = { items: { id: string; summary?: string; content_text?: string; content_html?: string }[] }
    const open = (await (await fetch(`${readerBase}/ru/summaries.json`)).json()) as Items
    const keyed = (await (await fetch(`${readerBase}/p/${key}/ru/summaries.json`)).json()) as Items
    expect(open.items.length).toBeGreaterThan(0)
    expect(keyed.items.map((i) => i.id)).toEqual(open.items.map((i) => i.id))
    for (const item of open.items) {
      expect(item.content_html, item.id).toBeUndefined()
      expect(item.content_text, item.id).toBe(item.summary)
    }
    for (const item of keyed.items) expect(item.content_html, item.id).toMatch(/<p>/)
    const rss = await (await fetch(`${readerBase}/ru/summaries.rss`)).text()
    expect(rss).toContain('<item>')
    expect(rss).not.toContain('<content:encoded>')
    expect(await (await fetch(`${readerBase}/p/${key}/ru/summaries.rss`)).text()).toContain(
      '<content:encoded>',
    )
  })

  it('rotates a key: both read until the older is revoked by its key id', async () => {
    const { id, key: first } = (await cli('add', 'Dunyo')) as { id: string; key: string }
    const rotated = (await cli('rotate', id)) as { key: string; partner: { keys: { keyId: string }[] } }
    readerClock += 2000
    for (const key of [first, rotated.key]) {
      expect(
        (await fetch(`${readerBase}/ru/latest.json`, { headers: { authorization: `Bearer ${key}` } })).status,
      ).toBe(200)
    }
    await cli('revoke', id, '--key-id', rotated.partner.keys[0]!.keyId)
    readerClock += 2000
    expect((await fetch(`${readerBase}/p/${first}/ru/latest.json`)).status).toBe(401)
    expect((await fetch(`${readerBase}/p/${rotated.key}/ru/latest.json`)).status).toBe(200)
  })

  it('refuses a partner with an unknown locale: the CLI exits 1 with the problem, nothing is created', async () => {
    const before = ((await cli('list')).partners as unknown[]).length
    await expect(cli('add', 'Bad', '--locales', 'en')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('locales') as unknown,
    })
    expect(((await cli('list')).partners as unknown[]).length).toBe(before)
  })

  it('answers 429 once the quota of the minute is spent', async () => {
    const { key } = (await cli('add', 'Tiny', '--quota', '1')) as { key: string }
    readerClock += 2000
    expect((await fetch(`${readerBase}/p/${key}/zh/sco.rss`)).status).toBe(200)
    const over = await fetch(`${readerBase}/p/${key}/zh/sco.rss`)
    expect(over.status).toBe(429)
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(over.headers.get('ratelimit-policy')).toBe('"per-minute";q=1;w=60')
  })
})

describe('partners while storage fails', () => {
  beforeEach(() => {
    warnings.length = 0
  })

  it('keeps reading a keyed feed with the last key index listed, within its bound', async () => {
    const { key } = (await cli('add', 'Ozodlik', '--feeds', 'sco', '--locales', 'ru')) as { key: string }
    faultyClock += 2000
    expect((await fetch(`${faultyBase}/p/${key}/ru/sco.rss`)).status).toBe(200)

    proxy.setRates({ ...NO_FAULTS, error500: 1 })
    try {
      faultyClock += 2000 // the index is due for a new listing, which fails
      for (const url of [`${faultyBase}/p/${key}/ru/sco.rss`, `${faultyBase}/ru/sco.rss`]) {
        const res = await fetch(url, {
          headers: url.includes('/p/') ? {} : { authorization: `Bearer ${key}` },
        })
        expect(res.status, url).toBe(200)
        expect(await res.text()).toContain('<rss')
      }
      // One failed listing, reported once; the second read used the same stand-in without waiting.
      expect(warnings).toEqual(['partner key listing failed; the last listing stands in'])

      faultyClock += FAULTY_STALE_MS // past the bound: a key revoked meanwhile must not read on
      const late = await fetch(`${faultyBase}/p/${key}/ru/sco.rss`)
      expect(late.status).toBe(503)
      expect(warnings.at(-1)).toBe('partner key listing failed; none stands in')
      expect(late.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    } finally {
      proxy.setRates(NO_FAULTS)
    }
    faultyClock += 2000
    expect((await fetch(`${faultyBase}/p/${key}/ru/sco.rss`)).status).toBe(200)
  })

  it('never lets a key revoked on this instance read from the last listing', async () => {
    const { id, key } = (await cli('add', 'Azattyq', '--feeds', 'sco', '--locales', 'ru')) as {
      id: string
      key: string
    }
    faultyClock += 2000
    expect((await fetch(`${faultyBase}/p/${key}/ru/sco.rss`)).status).toBe(200)
    const faulty = { request: (path: string, init?: RequestInit) => fetch(`${faultyBase}${path}`, init) }
    expect((await adminRequest(faulty, 'POST', `/admin/partners/${id}/revoke`, {})).status).toBe(200)

    proxy.setRates({ ...NO_FAULTS, error500: 1 })
    try {
      faultyClock += 2000
      expect((await fetch(`${faultyBase}/p/${key}/ru/sco.rss`)).status).toBe(401)
    } finally {
      proxy.setRates(NO_FAULTS)
    }
  })
})
