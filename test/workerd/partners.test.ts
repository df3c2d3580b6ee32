import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { adminSignedBytes, signBody } from '../../src/http/signature.ts'

const worker = (exports as { default: { fetch(input: string, init?: RequestInit): Promise<Response> } })
  .default
const BASE = 'https://feeds.silkfeed.test'
// The secret the workerd project binds as ADMIN_SECRETS (vitest.config.mts).
const ADMIN = 'workerd-admin-secret-0123456789abcdef'

async function admin(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<Response> {
  const body = payload === undefined ? '' : JSON.stringify(payload)
  const bytes = adminSignedBytes(method, path, new TextEncoder().encode(body))
  return worker.fetch(BASE + path, {
    method,
    headers: {
      'content-type': 'application/json',
      'silkfeed-signature': await signBody(bytes, ADMIN, Date.now() / 1000),
    },
    body: method === 'GET' ? undefined : body,
  })
}

describe('partners in workerd', () => {
  it('creates a partner, reads its keyed feed privately, and refuses the key once revoked', async () => {
    const created = await admin('POST', '/admin/partners', {
      name: 'Edge Partner',
      feeds: ['sco'],
      quota: 50,
    })
    expect(created.status).toBe(201)
    const { id, key } = (await created.json()) as { id: string; key: string }
    const keyed = await worker.fetch(`${BASE}/p/${key}/ru/sco.rss`)
    expect(keyed.status).toBe(200)
    expect(keyed.headers.get('cache-control')).toMatch(/^private/)
    expect(keyed.headers.get('ratelimit-policy')).toBe('"per-minute";q=50;w=60')
    expect(await keyed.text()).toContain('<rss')
    const bearer = await worker.fetch(`${BASE}/ru/sco.json`, { headers: { authorization: `Bearer ${key}` } })
    expect(bearer.status).toBe(200)
    expect(bearer.headers.get('vary')).toContain('Authorization')
    expect((await worker.fetch(`${BASE}/p/${key}/ru/latest.rss`)).status).toBe(403)

    expect((await admin('POST', `/admin/partners/${id}/revoke`, {})).status).toBe(200)
    const revoked = await worker.fetch(`${BASE}/p/${key}/ru/sco.rss`)
    const unknown = await worker.fetch(`${BASE}/p/sf_${'B'.repeat(43)}/ru/sco.rss`)
    expect(revoked.status).toBe(401)
    expect(await revoked.text()).toBe(await unknown.text())
  })

  it('answers 429 with RateLimit headers past the quota, and 401 to an unsigned admin request', async () => {
    const { key } = (await (await admin('POST', '/admin/partners', { name: 'Tiny', quota: 1 })).json()) as {
      key: string
    }
    expect((await worker.fetch(`${BASE}/p/${key}/zh/sco.atom`)).status).toBe(200)
    const over = await worker.fetch(`${BASE}/p/${key}/zh/sco.atom`)
    expect(over.status).toBe(429)
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(over.headers.get('ratelimit')).toMatch(/^"per-minute";r=0;t=\d+$/)
    const unsigned = await worker.fetch(`${BASE}/admin/partners`, { method: 'POST', body: '{"name":"X"}' })
    expect(unsigned.status).toBe(401)
  })

  it('answers a public feed as to the public for credentials of another scheme than Bearer', async () => {
    const basic = await worker.fetch(`${BASE}/ru/sco.json`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    })
    expect(basic.status).toBe(200)
    expect(basic.headers.get('cache-control')).toMatch(/^public/)
    expect(basic.headers.get('vary')).toContain('Authorization')
  })
})
