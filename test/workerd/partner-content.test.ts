import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { adminSignedBytes, signBody } from '../../src/http/signature.ts'
import worker from '../../src/platform/worker.ts'

// What partners read in workerd: full text or excerpt by their agreement, an embargoed story before
// its release (marked) only with that entitlement, and a kill reaching the partner's feed as a
// tombstone. The release at its time is releases.test.ts's: a faked clock's reads store state dated
// in the future in the bucket the workerd tests share, so only one test may move the clock.

const SECRET = 'workerd-test-secret-0123456789abcdef'
const ADMIN = 'workerd-admin-secret-0123456789abcdef'
const BASE = 'https://feeds.silkfeed.test'
const encoder = new TextEncoder()

async function call(vars: Record<string, unknown>, path: string, init?: RequestInit) {
  const ctx = createExecutionContext()
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), vars, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

async function admin(vars: Record<string, unknown>, payload: unknown): Promise<{ key: string }> {
  const body = JSON.stringify(payload)
  const bytes = adminSignedBytes('POST', '/admin/partners', encoder.encode(body))
  const signature = await signBody(bytes, ADMIN, Date.now() / 1000)
  const res = await call(vars, '/admin/partners', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'silkfeed-signature': signature },
    body,
  })
  expect(res.status).toBe(201)
  return (await res.json()) as { key: string }
}

async function republish(vars: Record<string, unknown>, payload: unknown) {
  const body = JSON.stringify(payload)
  const signature = await signBody(encoder.encode(body), SECRET, Date.now() / 1000)
  const res = await call(vars, '/webhooks/republish', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'silkfeed-signature': signature },
    body,
  })
  expect(res.status).toBe(200)
}

interface Feed {
  items: {
    id: string
    content_html?: string
    content_text?: string
    summary?: string
    _silkfeed: { embargoedUntil?: string }
  }[]
  _silkfeed: { deleted?: { id: string; reason: string }[] }
}

/** A Russian story sent a minute ago, with a summary and a body. */
function ruStory(id: string, overrides: Record<string, unknown>) {
  return {
    id,
    locale: 'ru',
    title: 'Соглашение подпишут в Ташкенте',
    summary: 'Краткое содержание.',
    contentHtml: '<p>Полный текст под эмбарго.</p>',
    url: `https://news.silkfeed.dev/ru/${id}`,
    publishedAt: new Date(Date.now() - 60_000).toISOString(),
    sections: ['sco'],
    ...overrides,
  }
}

type Change = { type: string; id: string; reason?: string }

/** Where a reader of the change cursor at `path` stands now. */
async function cursorAt(vars: Record<string, unknown>, path: string): Promise<string> {
  return ((await (await call(vars, path)).json()) as { next_cursor: string }).next_cursor
}

/** Every change after `cursor` at `path`, following next_cursor until a page is empty. */
async function changesAfter(vars: Record<string, unknown>, path: string, cursor: string): Promise<Change[]> {
  const seen: Change[] = []
  for (let i = 0; i < 20; i++) {
    const page = (await (await call(vars, `${path}?cursor=${cursor}`)).json()) as {
      changes: Change[]
      next_cursor: string
    }
    if (page.changes.length === 0) break
    seen.push(...page.changes)
    cursor = page.next_cursor
  }
  return seen
}

async function feed(vars: Record<string, unknown>, path: string): Promise<Feed> {
  const res = await call(vars, path)
  expect(res.status).toBe(200)
  return (await res.json()) as Feed
}

describe('partner content in workerd', () => {
  it('full text or excerpt, embargoed stories early, and a kill under embargo', async () => {
    const id = `partner-${crypto.randomUUID().slice(0, 8)}`
    const tag = `tag:silkfeed.dev,2026:article/${id}/ru`
    const releaseAt = Math.ceil((Date.now() + 3_600_000) / 1000) * 1000
    const today = { ...env }
    const early = await admin(today, { name: 'Early', feeds: ['sco'], fullText: true, embargoed: true })
    const brief = await admin(today, { name: 'Brief', feeds: ['sco'] })
    const story = ruStory(id, { embargoUntil: new Date(releaseAt).toISOString() })
    await republish(today, { upsert: [story] })

    // Before the release: only the partner entitled to embargoed stories has it, marked.
    const publicBefore = await feed(today, '/ru/sco.json')
    expect(publicBefore.items.map((i) => i.id)).not.toContain(tag)
    // Full text for the public (other workerd tests share the bucket and may add stories without a body).
    expect(publicBefore.items.some((i) => i.content_html !== undefined)).toBe(true)
    const earlyBefore = await feed(today, `/p/${early.key}/ru/sco.json`)
    const marked = earlyBefore.items.find((i) => i.id === tag)
    expect(marked?._silkfeed.embargoedUntil).toBeDefined()
    expect(marked?.content_html).toContain('Полный текст')
    const briefBefore = await feed(today, `/p/${brief.key}/ru/sco.json`)
    expect(briefBefore.items.map((i) => i.id)).not.toContain(tag)
    expect(briefBefore.items.length).toBeGreaterThan(0)
    expect(briefBefore.items.every((i) => i.content_html === undefined)).toBe(true)

    // A kill while still under embargo reaches the partner who saw the story, as a tombstone with
    // its reason; the public and the partner without embargoed stories never learn of it.
    const killed = `${id}-killed`
    const killedTag = `tag:silkfeed.dev,2026:article/${killed}/ru`
    const publicCursor = await cursorAt(today, '/ru/changes')
    const earlyCursor = await cursorAt(today, `/p/${early.key}/ru/changes`)
    await republish(today, { upsert: [{ ...story, id: killed, url: `${story.url}-killed` }] })
    expect((await feed(today, `/p/${early.key}/ru/sco.json`)).items.map((i) => i.id)).toContain(killedTag)
    await republish(today, { retract: [{ id: killed, locale: 'ru', reason: 'kill' }] })
    const earlyKilled = await feed(today, `/p/${early.key}/ru/sco.json`)
    expect(earlyKilled.items.map((i) => i.id)).not.toContain(killedTag)
    expect(earlyKilled._silkfeed.deleted).toContainEqual(
      expect.objectContaining({ id: killedTag, reason: 'kill' }),
    )
    const atom = await (await call(today, `/p/${early.key}/ru/sco.atom`)).text()
    expect(atom).toContain(`<at:deleted-entry ref="${killedTag}"`)
    expect(await (await call(today, '/ru/sco.atom')).text()).not.toContain(killedTag)
    expect(await (await call(today, `/p/${brief.key}/ru/sco.atom`)).text()).not.toContain(killedTag)
    // Nor do the public sync documents name it: the cursor, the ninjs item (404) and list.
    const publicChanges = await changesAfter(today, '/ru/changes', publicCursor)
    expect(publicChanges.filter((c) => c.id === killed)).toEqual([])
    expect((await call(today, `/ru/items/${killed}.ninjs.json`)).status).toBe(404)
    expect(await (await call(today, '/ru/sco.ninjs.json')).text()).not.toContain(killed)
    const earlyChanges = await changesAfter(today, `/p/${early.key}/ru/changes`, earlyCursor)
    expect(earlyChanges.filter((c) => c.id === killed).map((c) => [c.type, c.reason])).toEqual([
      ['published', undefined],
      ['retracted', 'kill'],
    ])
  })

  it('the public excerpt feed carries no body; a full-text partner reads the same feed in full', async () => {
    const id = `excerpt-${crypto.randomUUID().slice(0, 8)}`
    const tag = `tag:silkfeed.dev,2026:article/${id}/ru`
    const vars = { ...env }
    const full = await admin(vars, { name: 'Full', feeds: ['summaries', 'wire'], fullText: true })
    await republish(vars, {
      upsert: [
        ruStory(id, {
          summary: 'Анонс для всех.',
          contentHtml: '<p>Полный текст для партнёров.</p>',
          sections: ['economy'],
        }),
      ],
    })

    const publicItem = (await feed(vars, '/ru/summaries.json')).items.find((i) => i.id === tag)
    expect(publicItem).toMatchObject({ summary: 'Анонс для всех.', content_text: 'Анонс для всех.' })
    expect(publicItem?.content_html).toBeUndefined()
    const publicRss = await (await call(vars, '/ru/summaries.rss')).text()
    expect(publicRss).toContain(tag)
    expect(publicRss).not.toContain('<content:encoded>')
    expect(publicRss).not.toContain('Полный текст для партнёров.')

    const keyed = (await feed(vars, `/p/${full.key}/ru/summaries.json`)).items.find((i) => i.id === tag)
    expect(keyed?.content_html).toContain('Полный текст для партнёров.')
    const keyedAtom = await (await call(vars, `/p/${full.key}/ru/summaries.atom`)).text()
    expect(keyedAtom).toMatch(/<content type="html">[^<]*Полный текст для партнёров\./)
    // The partners-only wire: not at its public URL, in full at the keyed one.
    expect((await call(vars, '/ru/wire.json')).status).toBe(404)
    expect((await feed(vars, `/p/${full.key}/ru/wire.json`)).items.length).toBeGreaterThan(0)
  })
})
