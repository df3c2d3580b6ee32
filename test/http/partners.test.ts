import { beforeEach, describe, expect, it } from 'vitest'
import type { Logger } from '../../src/ports/observability.ts'
import { PartnerRegistry } from '../../src/services/partner-registry.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { ADMIN_SECRET, adminRequest, createPartner } from '../support/admin.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'

const BASE = 'https://feeds.silkfeed.test'
let clock: number
let store: MemoryObjectStore
let lines: string[]

const logger: Logger = {
  info: (message, fields) => lines.push(JSON.stringify({ message, ...fields })),
  warn: (message, fields) => lines.push(JSON.stringify({ message, ...fields })),
  error: (message, fields) => lines.push(JSON.stringify({ message, ...fields })),
}

/** An instance of the service over the shared store: its own key index, its own clock reading. */
function instance() {
  const registry = new PartnerRegistry(store, {
    now: () => clock,
    freshMs: 2000,
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
  })
  return appOver(store, { now: () => clock }, logger, {}, undefined, {
    partners: registry,
    adminSecrets: [ADMIN_SECRET],
  })
}

/** Everything in the bucket, to show a refused request changed nothing. */
function snapshot(): string[] {
  return [...store.objects.entries()].map(([key, o]) => `${key} ${o.etag}`).sort()
}

beforeEach(async () => {
  clock = Date.now()
  lines = []
  store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
})

describe('partner keys and admin endpoints', () => {
  it('creates a partner whose key is shown once and stored only as a hash', async () => {
    const app = instance()
    const res = await adminRequest(app, 'POST', '/admin/partners', {
      name: 'Kazinform',
      feeds: ['sco'],
      quota: 30,
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const created = (await res.json()) as { id: string; key: string }
    expect(created.key).toMatch(/^sf_[A-Za-z0-9_-]{43}$/)
    const stored =
      [...store.objects.keys()].join('\n') +
      [...store.objects.values()].map((o) => new TextDecoder().decode(o.body)).join('\n')
    expect(stored).not.toContain(created.key)
    expect(stored).not.toContain(created.key.slice(3))
    const shown = await adminRequest(app, 'GET', `/admin/partners/${created.id}`)
    const text = await shown.text()
    expect(shown.status).toBe(200)
    expect(text).not.toContain(created.key)
    expect(JSON.parse(text)).toMatchObject({
      id: created.id,
      name: 'Kazinform',
      entitlements: { feeds: ['sco'], locales: 'all', fullText: false, embargoed: false, quotaPerMinute: 30 },
    })
    const listed = (await (await adminRequest(app, 'GET', '/admin/partners')).json()) as {
      partners: { id: string }[]
    }
    expect(listed.partners.map((p) => p.id)).toEqual([created.id])
  })

  it.each([
    ['an unknown feed', { name: 'A', feeds: ['sports'] }, '$.feeds[0]'],
    ['an unknown locale', { name: 'A', locales: ['en'] }, '$.locales[0]'],
    ['a quota of 0', { name: 'A', quota: 0 }, 'quota'],
    ['a negative quota', { name: 'A', quota: -5 }, 'quota'],
    ['no name', { feeds: ['sco'] }, 'name'],
  ])('refuses a partner with %s (422 naming the field) and stores nothing', async (_, definition, path) => {
    const app = instance()
    const before = snapshot()
    const res = await adminRequest(app, 'POST', '/admin/partners', definition)
    expect(res.status).toBe(422)
    const problem = (await res.json()) as { problems: { path: string; message: string }[] }
    expect(problem.problems.map((p) => p.path)).toContainEqual(expect.stringContaining(path))
    expect(snapshot()).toEqual(before)
  })

  it('refuses bad admin signatures with 401 and changes nothing', async () => {
    const app = instance()
    const { id } = await createPartner(app, { name: 'A' })
    const before = snapshot()
    const cases = [
      adminRequest(app, 'POST', '/admin/partners', { name: 'B' }, { signature: null }),
      adminRequest(app, 'POST', '/admin/partners', { name: 'B' }, { signature: 't=1,v1=zz' }),
      adminRequest(
        app,
        'POST',
        '/admin/partners',
        { name: 'B' },
        { secret: 'webhook-secret-is-not-admin-0123' },
      ),
      adminRequest(app, 'POST', '/admin/partners', { name: 'B' }, { t: Date.now() / 1000 - 3600 }),
      // A signature captured from one partner's revocation, sent to another's.
      adminRequest(
        app,
        'POST',
        `/admin/partners/${id}/revoke`,
        {},
        { signedPath: '/admin/partners/p-000000000000/revoke' },
      ),
      adminRequest(app, 'GET', '/admin/partners', undefined, { signature: null }),
    ]
    for (const res of await Promise.all(cases)) {
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Silkfeed-Signature realm="admin"')
      expect(((await res.json()) as { code: string }).code).toBe('ADMIN_BAD_SIGNATURE')
    }
    expect(snapshot()).toEqual(before)
  })

  it('refuses every admin request when no admin secret is configured', async () => {
    const app = appOver(store, {}, logger, {}, undefined, { adminSecrets: [] })
    const res = await adminRequest(app, 'POST', '/admin/partners', { name: 'A' })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Silkfeed-Signature realm="admin"')
    expect(((await res.json()) as { detail: string }).detail).toContain('ADMIN_SECRETS')
  })
})

describe('how a partner reads', () => {
  it('reads its keyed feed: the public bytes, private, with RateLimit headers', async () => {
    const app = instance()
    // Full text, no embargoes: the same rendering as the public full-text feed.
    const { key } = await createPartner(app, { name: 'A', quota: 100, fullText: true })
    const keyed = await app.request(`/p/${key}/ru/sco.rss`)
    const open = await app.request('/ru/sco.rss')
    expect(keyed.status).toBe(200)
    expect(await keyed.text()).toBe(await open.text())
    expect(keyed.headers.get('cache-control')).toMatch(/^private, max-age=\d+/)
    expect(keyed.headers.get('cache-control')).not.toContain('public')
    expect(open.headers.get('cache-control')).toMatch(/^public/)
    expect(keyed.headers.get('ratelimit-policy')).toBe('"per-minute";q=100;w=60')
    expect(keyed.headers.get('ratelimit')).toMatch(/^"per-minute";r=99;t=\d+$/)
    expect(keyed.headers.get('link')).toBeNull()
  })

  it('reads the public URL with Authorization: Bearer, and both answers vary on Authorization', async () => {
    const app = instance()
    const { key } = await createPartner(app, { name: 'A' })
    const res = await app.request('/kk/sco.atom', { headers: { authorization: `Bearer ${key}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toMatch(/^private/)
    expect(res.headers.get('vary')).toContain('Authorization')
    const open = await app.request('/kk/sco.atom')
    expect(open.headers.get('vary')).toContain('Authorization')
    const wrong = await app.request('/kk/sco.atom', { headers: { authorization: 'Bearer sf_nope' } })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="silkfeed"')
  })

  it('answers a public feed as to the public for credentials of another scheme, and reads bearer in any case', async () => {
    const app = instance()
    const { key } = await createPartner(app, { name: 'A' })
    const open = await app.request('/ru/sco.rss')
    for (const authorization of [
      'Basic dXNlcjpwYXNz',
      'Digest username="u"',
      'Bearerish x',
      'Token sf_nope',
    ]) {
      const res = await app.request('/ru/sco.rss', { headers: { authorization } })
      expect(res.status, authorization).toBe(200)
      expect(res.headers.get('cache-control'), authorization).toMatch(/^public/)
      expect(res.headers.get('vary'), authorization).toContain('Authorization')
      expect(await res.text()).toBe(await open.clone().text())
    }
    const lower = await app.request('/ru/sco.rss', { headers: { authorization: `bearer ${key}` } })
    expect(lower.status).toBe(200)
    expect(lower.headers.get('cache-control')).toMatch(/^private/)
    // A Bearer credential that is no key is still refused.
    expect((await app.request('/ru/sco.rss', { headers: { authorization: 'BEARER' } })).status).toBe(401)
  })

  it('answers unknown, malformed, revoked and rotated-out keys with the same 401, changing nothing', async () => {
    const app = instance()
    const revoked = await createPartner(app, { name: 'Revoked' })
    const rotated = await createPartner(app, { name: 'Rotated' })
    await adminRequest(app, 'POST', `/admin/partners/${rotated.id}/rotate`)
    await adminRequest(app, 'POST', `/admin/partners/${rotated.id}/rotate`) // the first key is out now
    await adminRequest(app, 'POST', `/admin/partners/${revoked.id}/revoke`, {})
    const unknown = `sf_${'A'.repeat(43)}`
    const keys = [unknown, 'not-a-key', `sf_${'x'.repeat(500)}`, revoked.key, rotated.key]
    const before = snapshot()
    const answers = await Promise.all(
      keys.map(async (key) => {
        const res = await app.request(`/p/${key}/ru/sco.rss`)
        const body = await res.text()
        expect(body).not.toContain(key)
        const headers: string[] = []
        res.headers.forEach((value, name) => headers.push(`${name}: ${value}`))
        return JSON.stringify({ status: res.status, headers, body })
      }),
    )
    expect(new Set(answers).size).toBe(1)
    expect(JSON.parse(answers[0]!).status).toBe(401)
    expect(snapshot()).toEqual(before)
  })

  it('keeps the previous key during a rotation, until it is revoked', async () => {
    const app = instance()
    const first = await createPartner(app, { name: 'A' })
    const rotated = (await (
      await adminRequest(app, 'POST', `/admin/partners/${first.id}/rotate`)
    ).json()) as {
      key: string
      partner: { keys: { keyId: string }[] }
    }
    expect((await app.request(`/p/${first.key}/zh/latest.json`)).status).toBe(200)
    expect((await app.request(`/p/${rotated.key}/zh/latest.json`)).status).toBe(200)
    const oldKeyId = rotated.partner.keys[0]!.keyId
    const res = await adminRequest(app, 'POST', `/admin/partners/${first.id}/revoke`, { keyId: oldKeyId })
    expect(res.status).toBe(200)
    expect((await app.request(`/p/${first.key}/zh/latest.json`)).status).toBe(401)
    expect((await app.request(`/p/${rotated.key}/zh/latest.json`)).status).toBe(200)
  })

  it('answers a feed or locale outside the agreement with 403 naming what the key may read', async () => {
    const app = instance()
    const { key } = await createPartner(app, { name: 'A', feeds: ['sco'], locales: ['kk', 'uz'] })
    for (const path of [`/p/${key}/kk/latest.rss`, `/p/${key}/ru/sco.rss`]) {
      const res = await app.request(path)
      expect(res.status).toBe(403)
      const problem = (await res.json()) as { detail: string; instance: string }
      expect(problem.detail).toContain('sco')
      expect(problem.detail).toContain('kk, uz')
      expect(problem.instance).not.toContain(key)
    }
    expect((await app.request(`/p/${key}/uz/sco.json`)).status).toBe(200)
  })

  it('lists exactly its feeds with keyed URLs in its OPML and on its page, which sends no Referer', async () => {
    const app = instance()
    const { key } = await createPartner(app, { name: 'Uzbek Daily', feeds: ['sco'], locales: ['uz'] })
    const opml = await app.request(`/p/${key}/feeds.opml`)
    expect(opml.status).toBe(200)
    const text = await opml.text()
    const xmlUrls = [...text.matchAll(/xmlUrl="([^"]+)"/g)].map((m) => m[1])
    expect(xmlUrls).toEqual([`${BASE}/p/${key}/uz/sco.rss`])
    expect(opml.headers.get('cache-control')).toMatch(/^private/)
    const page = await app.request(`/p/${key}/`, { headers: { 'accept-language': 'uz' } })
    expect(page.status).toBe(200)
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    const html = await page.text()
    expect(html).toContain('Uzbek Daily')
    const links = [...html.matchAll(/href="([^"]+\.(?:rss|atom|json))"/g)].map((m) => m[1])
    expect(new Set(links)).toEqual(
      new Set(['rss', 'atom', 'json'].map((f) => `${BASE}/p/${key}/uz/sco.${f}`)),
    )
  })

  it('never writes a key to the log, and logs the partner id instead', async () => {
    const app = instance()
    const { id, key } = await createPartner(app, { name: 'A', feeds: ['sco'] })
    await app.request(`/p/${key}/ru/sco.rss`)
    await app.request(`/p/${key}/ru/latest.rss`) // 403
    await app.request(`/p/${key}/ru/nothing.rss`) // 404
    await app.request(`/p/${key}/ru/sco/extra`) // not a route
    await app.request('/ru/sco.rss', { headers: { authorization: `Bearer ${key}` } })
    const log = lines.join('\n')
    expect(log).not.toContain(key)
    expect(log).not.toContain(key.slice(3, 20))
    expect(lines.filter((l) => l.includes(`"partner":"${id}"`)).length).toBeGreaterThanOrEqual(2)
    expect(log).toContain('/p/{key}/ru/sco.rss')
  })
})

describe('partner quotas', () => {
  it('answers 429 with Retry-After and RateLimit headers past the quota, 304s counted, in the client’s language', async () => {
    const app = instance()
    const { key } = await createPartner(app, { name: 'A', quota: 2 })
    const first = await app.request(`/p/${key}/ru/sco.json`)
    const etag = first.headers.get('etag')!
    const revalidated = await app.request(`/p/${key}/ru/sco.json`, { headers: { 'if-none-match': etag } })
    expect(revalidated.status).toBe(304)
    expect(revalidated.headers.get('ratelimit')).toMatch(/r=0;/)
    const over = await app.request(`/p/${key}/ru/sco.json`, { headers: { 'accept-language': 'ru' } })
    expect(over.status).toBe(429)
    const retryAfter = Number(over.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(over.headers.get('ratelimit-policy')).toBe('"per-minute";q=2;w=60')
    expect(over.headers.get('ratelimit')).toBe(`"per-minute";r=0;t=${retryAfter}`)
    expect(over.headers.get('content-language')).toBe('ru')
    expect(((await over.json()) as { detail: string }).detail).toContain('2 запросов в минуту')
    clock += retryAfter * 1000
    expect((await app.request(`/p/${key}/ru/sco.json`)).status).toBe(200)
  })

  it('counts each key on its own', async () => {
    const app = instance()
    const a = await createPartner(app, { name: 'A', quota: 1 })
    const b = await createPartner(app, { name: 'B', quota: 1 })
    expect((await app.request(`/p/${a.key}/zh/sco.rss`)).status).toBe(200)
    expect((await app.request(`/p/${b.key}/zh/sco.rss`)).status).toBe(200)
    expect((await app.request(`/p/${a.key}/zh/sco.rss`)).status).toBe(429)
  })
})

describe('the key index shared through storage', () => {
  it('makes a revocation on one instance take effect on another within HOT_CACHE_MS', async () => {
    const admin = instance()
    const reader = instance()
    const { id, key } = await createPartner(admin, { name: 'A' })
    expect((await reader.request(`/p/${key}/ru/sco.rss`)).status).toBe(200)
    await adminRequest(admin, 'POST', `/admin/partners/${id}/revoke`, {})
    expect((await admin.request(`/p/${key}/ru/sco.rss`)).status).toBe(401)
    clock += 2000
    expect((await reader.request(`/p/${key}/ru/sco.rss`)).status).toBe(401)
  })

  it('costs storage at most one listing per HOT_CACHE_MS, however many unknown keys arrive', async () => {
    const app = instance()
    const { key } = await createPartner(app, { name: 'A' })
    await app.request(`/p/${key}/ru/sco.rss`) // warm: index and feed in memory
    const before = store.requests
    const guesses = Array.from(
      { length: 200 },
      () => `sf_${crypto.randomUUID().replace(/-/g, '')}abcdefghijk`,
    )
    const answers = await Promise.all(guesses.map(async (g) => app.request(`/p/${g}/ru/sco.rss`)))
    expect(answers.every((r) => r.status === 401)).toBe(true)
    expect(store.requests - before).toBe(0)
    clock += 2001
    await Promise.all(guesses.map(async (g) => app.request(`/p/${g}/ru/sco.rss`)))
    expect(store.requests - before).toBeLessThanOrEqual(2)
    expect((await app.request(`/p/${key}/ru/sco.rss`)).status).toBe(200)
  })
})
