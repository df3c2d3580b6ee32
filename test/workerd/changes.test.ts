import { describe, expect, it } from 'vitest'
import { adminSignedBytes, signBody } from '../../src/http/signature.ts'
import { postSignedRepublish, worker } from './signed-republish.ts'

// The secret the workerd project binds as ADMIN_SECRETS (vitest.config.mts).
const ADMIN = 'workerd-admin-secret-0123456789abcdef'
const BASE = 'https://feeds.silkfeed.test'

async function upsert(id: string, extra: Record<string, unknown> = {}): Promise<void> {
  const body = JSON.stringify({
    upsert: [
      {
        id,
        locale: 'ru',
        title: 'Новость для курсора',
        url: `https://news.silkfeed.dev/ru/2026/11/24/${id}`,
        // Old enough to stay off the directory's newest headlines, which other workerd tests read.
        publishedAt: '2000-01-01T10:00:00+03:00',
        sections: ['sco'],
        ...extra,
      },
    ],
  })
  const res = await postSignedRepublish(body)
  expect(res.status).toBe(200)
}

interface Page {
  changes: { type: string; id: string; at: string; embargoedUntil?: string }[]
  next_cursor: string
}

async function changes(query: string, path = '/ru/changes'): Promise<Page> {
  const res = await worker.fetch(`${BASE}${path}${query}`)
  expect(res.status).toBe(200)
  return (await res.json()) as Page
}

async function createPartner(definition: object): Promise<string> {
  const body = JSON.stringify(definition)
  const bytes = adminSignedBytes('POST', '/admin/partners', new TextEncoder().encode(body))
  const res = await worker.fetch(`${BASE}/admin/partners`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'silkfeed-signature': await signBody(bytes, ADMIN, Date.now() / 1000),
    },
    body,
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as { key: string }).key
}

/** Follows the cursor until the page is empty, collecting the ids it delivered. */
async function drain(cursor: string, path?: string): Promise<{ ids: string[]; cursor: string }> {
  const ids: string[] = []
  for (;;) {
    const page = await changes(`?cursor=${cursor}`, path)
    cursor = page.next_cursor
    if (page.changes.length === 0) return { ids, cursor }
    ids.push(...page.changes.map((c) => c.id))
  }
}

describe('the change cursor in workerd', () => {
  it('delivers an upsert once to a reader following next_cursor, and its ninjs item', async () => {
    const id = `cursor-${crypto.randomUUID().slice(0, 8)}`
    const start = await drain((await changes('')).next_cursor)
    await upsert(id)
    const after = await drain(start.cursor)
    expect(after.ids.filter((x) => x === id)).toEqual([id])
    expect((await drain(after.cursor)).ids).not.toContain(id)
    const item = await worker.fetch(`${BASE}/ru/items/${id}.ninjs.json`)
    expect(item.status).toBe(200)
    expect(((await item.json()) as { pubStatus: string }).pubStatus).toBe('usable')
  })

  it('with ?wait= answers at once when there is news, and an empty page once the wait is over', async () => {
    const id = `wait-${crypto.randomUUID().slice(0, 8)}`
    const { cursor } = await drain((await changes('')).next_cursor)
    const quiet = await changes(`?cursor=${cursor}&wait=1`)
    expect(quiet.changes).toEqual([])
    await upsert(id)
    const news = await changes(`?cursor=${quiet.next_cursor}&wait=10`)
    expect(news.changes.map((c) => c.id)).toContain(id)
  })

  it('refuses wait above 15 seconds with a problem document', async () => {
    const res = await worker.fetch(`${BASE}/ru/changes?wait=60`)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { code: string }).code).toBe('WAIT_INVALID')
  })

  it('holds a ?wait= request until a story’s embargo ends, and announces it as released then', async () => {
    const id = `release-${crypto.randomUUID().slice(0, 8)}`
    const { cursor } = await drain((await changes('')).next_cursor)
    // Far enough ahead that the webhook is answered before it, on a loaded machine too.
    const until = Math.ceil((Date.now() + 8_000) / 1000) * 1000
    await upsert(id, { embargoUntil: new Date(until).toISOString() })
    const before = await changes(`?cursor=${cursor}`)
    expect(before.changes.filter((c) => c.id === id)).toEqual([])
    // Other tests' stories may end a wait sooner: follow the cursor until the story's change comes.
    const seen: Page['changes'] = []
    let next = before.next_cursor
    for (let i = 0; i < 5 && !seen.some((c) => c.id === id); i++) {
      const page = await changes(`?cursor=${next}&wait=15`)
      seen.push(...page.changes)
      next = page.next_cursor
    }
    expect(Date.now()).toBeGreaterThanOrEqual(until)
    const released = seen.filter((c) => c.id === id)
    expect(released.map((c) => c.type)).toEqual(['released'])
    expect(Date.parse(released[0]!.at)).toBe(until)
  })

  it('gives a partner key its own view: the stories of its feeds, ?wait= included, and 403 outside its locales', async () => {
    const key = await createPartner({ name: 'Edge cursor', feeds: ['sco'], locales: ['ru'], embargoed: true })
    const keyed = `/p/${key}/ru/changes`
    const { cursor } = await drain((await changes('', keyed)).next_cursor, keyed)
    const id = `partner-${crypto.randomUUID().slice(0, 8)}`
    await upsert(`${id}-economy`, { sections: ['economy'] })
    const until = new Date(Date.now() + 3_600_000).toISOString()
    await upsert(id, { embargoUntil: until })
    const seen: Page['changes'] = []
    let next = cursor
    for (let i = 0; i < 10 && !seen.some((c) => c.id === id); i++) {
      const page = await changes(`?cursor=${next}&wait=5`, keyed)
      seen.push(...page.changes)
      next = page.next_cursor
    }
    expect(seen.find((c) => c.id === id)).toMatchObject({ type: 'published', embargoedUntil: until })
    expect(seen.some((c) => c.id === `${id}-economy`)).toBe(false)
    const bearer = await worker.fetch(`${BASE}/ru/changes?cursor=${cursor}`, {
      headers: { authorization: `Bearer ${key}` },
    })
    expect(bearer.headers.get('ratelimit-policy')).toMatch(/^"per-minute"/)
    const outside = await worker.fetch(`${BASE}/p/${key}/zh/changes`)
    expect(outside.status).toBe(403)
    expect((await worker.fetch(`${BASE}/p/sf_${'B'.repeat(43)}/ru/changes`)).status).toBe(401)
  })
})
