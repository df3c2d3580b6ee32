import { LOCALES } from '../../src/domain/locale.ts'
import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { FIXED_ROUTES } from '../../src/http/route-table.ts'
import { signBody } from '../../src/http/signature.ts'
import { appOver, sampleApp } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

const story: Article = {
  id: 'sco-breaking',
  locale: 'ru',
  title: 'Срочно: новое соглашение ШОС',
  summary: 'Коротко о главном.',
  url: 'https://news.silkfeed.dev/ru/2026/11/24/sco-breaking',
  publishedAt: '2026-11-24T10:00:00+03:00',
  sections: ['sco'],
}

function snapshotOf(store: MemoryObjectStore) {
  return new Map([...store.objects].map(([k, v]) => [k, v.etag]))
}

describe('POST /webhooks/republish', () => {
  it('stores an upsert, regenerates every affected feed and reports them', async () => {
    const { app } = await sampleApp()
    const before = await (await app.request('/ru/sco.json')).json()
    const res = await postRepublish(app, { upsert: [story] })
    expect(res.status).toBe(200)
    const report = (await res.json()) as Record<string, any>
    expect(report.stored).toEqual([{ id: 'sco-breaking', locale: 'ru', version: expect.any(String) }])
    // Every feed that selects the story, in every locale (each item links its translations) and format.
    const feeds = report.feeds.map((f: any) => `${f.feed}/${f.locale}/${f.format}`).sort()
    expect(feeds).toEqual(
      ['latest', 'sco', 'summaries', 'wire']
        .flatMap((feed) => LOCALES.flatMap((l) => ['atom', 'json', 'rss'].map((f) => `${feed}/${l}/${f}`)))
        .sort(),
    )
    const sco = report.feeds.find((f: any) => f.feed === 'sco' && f.locale === 'ru' && f.format === 'json')
    expect(sco.items).toBe(before.items.length + 1)
    const after = await app.request('/ru/sco.json')
    expect(after.headers.get('etag')).toBe(sco.etag)
    expect((await after.json()).items[0].title).toBe(story.title)
  })

  it('accepts any of the configured secrets (rotation)', async () => {
    const { app } = await sampleApp()
    expect(
      (await postRepublish(app, { upsert: [story] }, { secret: 'old-secret-0123456789abcdef' })).status,
    ).toBe(200)
  })

  it('moves a story that changed sections out of the feeds that selected its previous version', async () => {
    const { app } = await sampleApp()
    await postRepublish(app, { upsert: [story] })
    const moved = { ...story, sections: ['economy'], updatedAt: '2026-11-24T12:00:00+03:00' }
    const report = (await (await postRepublish(app, { upsert: [moved] })).json()) as {
      feeds: { feed: string }[]
    }
    expect(new Set(report.feeds.map((f) => f.feed))).toEqual(new Set(['latest', 'sco', 'summaries', 'wire']))
    const ids = async (path: string) =>
      (((await (await app.request(path)).json()) as { items?: { id: string }[] }).items ?? []).map(
        (i) => i.id,
      )
    expect(await ids('/ru/sco.json')).not.toContain('tag:silkfeed.dev,2026:article/sco-breaking/ru')
    expect(await ids('/ru/latest.json')).toContain('tag:silkfeed.dev,2026:article/sco-breaking/ru')
  })

  it('lets an older updatedAt lose, reported as skipped', async () => {
    const { app } = await sampleApp()
    const newer = { ...story, title: 'v2', updatedAt: '2026-11-24T12:00:00+03:00' }
    await postRepublish(app, { upsert: [newer] })
    const res = await postRepublish(app, {
      upsert: [{ ...story, title: 'v1', updatedAt: '2026-11-24T11:00:00+03:00' }],
    })
    const report = await res.json()
    expect(report.skipped).toEqual([
      expect.objectContaining({ id: 'sco-breaking', locale: 'ru', reason: 'older-than-stored' }),
    ])
    const feed = await (await app.request('/ru/sco.json')).json()
    expect(feed.items.find((i: any) => i.url === story.url).title).toBe('v2')
  })

  it('retracts a story from every feed and locale, leaving an Atom tombstone', async () => {
    const { app } = await sampleApp()
    const [sample] = loadSamples().filter((a) => a.sections.includes('sco'))
    const res = await postRepublish(app, { retract: [{ id: sample!.id }] })
    expect(res.status).toBe(200)
    const report = await res.json()
    expect(report.retracted.map((r: any) => r.locale).sort()).toEqual([...LOCALES].sort())
    for (const locale of LOCALES) {
      const feed = await (await app.request(`/${locale}/latest.json`)).json()
      expect(feed.items.some((i: any) => i.id.includes(`/${sample!.id}/`))).toBe(false)
    }
    const atom = await (await app.request('/kk/sco.atom')).text()
    expect(atom).toContain(`<at:deleted-entry ref="tag:silkfeed.dev,2026:article/${sample!.id}/kk"`)
  })

  it('reports a retraction of an unknown story without failing', async () => {
    const { app } = await sampleApp()
    const res = await postRepublish(app, { retract: [{ id: 'never-was' }, { id: 'nor-this', locale: 'uz' }] })
    expect(res.status).toBe(200)
    expect((await res.json()).notFound).toEqual([{ id: 'never-was' }, { id: 'nor-this', locale: 'uz' }])
  })

  it('rebuilds named feeds without article changes', async () => {
    const { app } = await sampleApp()
    const res = await postRepublish(app, { rebuild: ['sco'] })
    const report = await res.json()
    expect(report.feeds).toHaveLength(LOCALES.length * 3)
    expect(new Set(report.feeds.map((f: any) => f.feed))).toEqual(new Set(['sco']))
  })

  it('returns the stored response for a repeated Idempotency-Key and body, doing nothing again', async () => {
    const { app, store } = await sampleApp()
    const headers = { 'idempotency-key': 'cms-42' }
    const first = await postRepublish(app, { upsert: [story] }, { headers })
    const before = store.requests
    const again = await postRepublish(app, { upsert: [story] }, { headers })
    expect(again.status).toBe(200)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(await again.json()).toEqual(await first.json())
    expect(store.requests - before).toBe(1)
  })

  it('refuses the same Idempotency-Key with a different body (409)', async () => {
    const { app } = await sampleApp()
    const headers = { 'idempotency-key': 'cms-43' }
    await postRepublish(app, { upsert: [story] }, { headers })
    const res = await postRepublish(app, { upsert: [{ ...story, title: 'другое' }] }, { headers })
    expect(res.status).toBe(409)
    expect((await res.json()).code).toBe('IDEMPOTENCY_CONFLICT')
  })
})

describe('bad webhook input changes nothing in storage', () => {
  const body = JSON.stringify({ upsert: [story] })
  const now = () => Date.now() / 1000

  const cases: [string, () => Promise<RequestInit>, number, string, RegExp?][] = [
    [
      'a missing signature',
      async () => ({ headers: { 'content-type': 'application/json' }, body }),
      401,
      'BAD_SIGNATURE',
      /missing/,
    ],
    [
      'a malformed signature',
      async () => ({
        headers: { 'content-type': 'application/json', 'silkfeed-signature': 'sha256=abc' },
        body,
      }),
      401,
      'BAD_SIGNATURE',
      /malformed/,
    ],
    [
      'a wrong secret',
      async () => sign(body, 'not-the-secret-at-all-0000', now()),
      401,
      'BAD_SIGNATURE',
      /not valid for this body/,
    ],
    [
      'an expired signature',
      async () => sign(body, undefined, now() - 301),
      401,
      'BAD_SIGNATURE',
      /5-minute window/,
    ],
    [
      'a future-dated signature',
      // Signatures carry whole seconds (the fraction is dropped): 302 s ahead is at least 301 s ahead
      // when signed, and still more than 300 s when checked, however late the check comes (under 1 s).
      async () => sign(body, undefined, now() + 302),
      401,
      'BAD_SIGNATURE',
      /5-minute window/,
    ],
    [
      'a signature over a different body',
      async () => ({ ...(await sign('{"rebuild":"all"}')), body }),
      401,
      'BAD_SIGNATURE',
      /not valid for this body/,
    ],
    [
      'a wrong content type',
      async () => {
        const signed = await sign(body)
        return { ...signed, headers: { ...signed.headers, 'content-type': 'text/plain' } }
      },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'an oversized body',
      async () => sign(JSON.stringify({ upsert: [{ ...story, contentHtml: 'x'.repeat(70_000) }] })),
      413,
      'PAYLOAD_TOO_LARGE',
      /65536/,
    ],
    ['broken JSON', async () => sign('{"upsert": ['), 400, 'MALFORMED_JSON'],
    ['an empty payload', async () => sign('{}'), 422, 'INVALID_PAYLOAD'],
  ]

  async function sign(
    raw: string,
    secret = 'test-secret-0123456789abcdef',
    t = now(),
  ): Promise<Omit<RequestInit, 'headers'> & { headers: Record<string, string> }> {
    const signature = await signBody(new TextEncoder().encode(raw), secret, t)
    return { headers: { 'content-type': 'application/json', 'silkfeed-signature': signature }, body: raw }
  }

  it.each(cases)('%s', async (_name, init, status, code, detail) => {
    const { app, store } = await sampleApp()
    const before = snapshotOf(store)
    const res = await app.request('/webhooks/republish', { method: 'POST', ...(await init()) })
    expect(res.status).toBe(status)
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    const problem = (await res.json()) as { code: string; detail: string }
    expect(problem.code).toBe(code)
    if (detail) expect(problem.detail).toMatch(detail)
    // Every 401 names the scheme that would do (RFC 9110 §15.5.2).
    expect(res.headers.get('www-authenticate')).toBe(
      status === 401 ? 'Silkfeed-Signature realm="webhook"' : null,
    )
    expect(snapshotOf(store)).toEqual(before)
  })

  it.each([
    ['an unknown field', '$.upsert[0]', { upsert: [{ ...story, body: 'x' }] }, /unknown field/],
    ['a bad locale', '$.upsert[0].locale', { upsert: [{ ...story, locale: 'en' }] }, /zh, ru, kk, uz/],
    ['a bad URL', '$.upsert[0].url', { upsert: [{ ...story, url: 'news/ru/1' }] }, /absolute/],
    [
      'a bad date',
      '$.upsert[0].publishedAt',
      { upsert: [{ ...story, publishedAt: '24.11.2026' }] },
      /RFC 3339/,
    ],
    [
      'updatedAt before publishedAt',
      '$.upsert[0].updatedAt',
      { upsert: [{ ...story, updatedAt: '2020-01-01T00:00:00Z' }] },
      /earlier/,
    ],
    ['a duplicated (id, locale)', '$.upsert[1]', { upsert: [story, story] }, /repeats/],
    ['an unknown feed to rebuild', '$.rebuild[0]', { rebuild: ['sports'] }, /latest, sco/],
    ['an unknown top-level field', '$', { upsert: [story], publish: true }, /unknown field/],
  ])('rejects %s with 422 at %s', async (_name, path, payload, message) => {
    const { app, store } = await sampleApp()
    const before = snapshotOf(store)
    const res = await postRepublish(app, payload)
    expect(res.status).toBe(422)
    const problem = (await res.json()) as { problems: { path: string; message: string }[] }
    const found = problem.problems.find((p) => p.path === path)
    expect(found, JSON.stringify(problem.problems)).toBeDefined()
    expect(found!.message).toMatch(message)
    expect(snapshotOf(store)).toEqual(before)
  })

  it('lists every problem of a request at once', async () => {
    const { app } = await sampleApp()
    const res = await postRepublish(app, {
      upsert: [
        { ...story, id: '' },
        { ...story, locale: 'xx' },
      ],
      retract: [{}],
    })
    const problem = (await res.json()) as { problems: { path: string }[] }
    expect(problem.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['$.upsert[0].id', '$.upsert[1].locale', '$.retract[0].id']),
    )
  })

  it('answers every other method with the same 405 and Allow, the one OPTIONS gives', async () => {
    const { app } = await sampleApp()
    const options = await app.request('/webhooks/republish', { method: 'OPTIONS' })
    expect(options.status).toBe(204)
    expect(options.headers.get('allow')).toBe('POST, OPTIONS')
    for (const method of ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'PROPFIND']) {
      const res = await app.request('/webhooks/republish', { method })
      expect(res.status, method).toBe(405)
      expect(res.headers.get('allow'), method).toBe('POST, OPTIONS')
      if (method !== 'HEAD') {
        const problem = (await res.json()) as { code: string; detail: string }
        expect(problem.code).toBe('METHOD_NOT_ALLOWED')
        expect(problem.detail).toContain('POST, OPTIONS')
      }
    }
  })

  it.each(Object.entries(FIXED_ROUTES))(
    '%s: every method it lacks is a 405 with the Allow its OPTIONS gives',
    async (_name, route) => {
      const { store } = await sampleApp()
      const app = appOver(store, {}, undefined, {}, undefined, { metrics: { render: () => '' } })
      const path = route.path.replace('{id}', 'some-partner')
      const allow = (await app.request(path, { method: 'OPTIONS' })).headers.get('allow')
      expect(allow).toBe([...route.methods, 'options'].map((m) => m.toUpperCase()).join(', '))
      const lacking = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND'].filter(
        // Hono answers HEAD as GET wherever GET is answered.
        (m) => !(route.methods as readonly string[]).includes(m === 'HEAD' ? 'get' : m.toLowerCase()),
      )
      for (const method of lacking) {
        const res = await app.request(path, { method })
        expect(res.status, method).toBe(405)
        expect(res.headers.get('allow'), method).toBe(allow)
      }
    },
  )

  it('is closed when no secret is configured', async () => {
    const store = new MemoryObjectStore()
    const app = appOver(store, {}, undefined, { secrets: [] })
    const res = await postRepublish(app, { upsert: [story] })
    expect(res.status).toBe(401)
    expect(((await res.json()) as { detail: string }).detail).toMatch(/no webhook secret/)
    expect(store.objects.size).toBe(0)
  })
})
