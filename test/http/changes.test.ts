import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { appOver, sampleApp } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { postRepublish } from '../support/webhook.ts'
import type { ChangesPage } from '../support/changes.ts'
import { QUIET_REFRESH_MS } from '../../src/http/cursor-front.ts'

const story: Article = {
  id: 'sco-cursor',
  locale: 'ru',
  title: 'Курсор: новое соглашение ШОС',
  url: 'https://news.silkfeed.dev/ru/2026/11/24/sco-cursor',
  publishedAt: '2026-11-24T10:00:00+03:00',
  sections: ['sco'],
}
const corrected = {
  ...story,
  title: 'Курсор: соглашение ШОС подписано',
  updatedAt: '2026-11-24T12:00:00+03:00',
}

type Page = ChangesPage

type App = ReturnType<typeof appOver>

/** A request as the Node entry hands it to the app's front (a target with a query: no plain path). */
const frontRequest = (target: string, method = 'GET') => ({
  method,
  path: undefined,
  target,
  cfRay: undefined,
  ifNoneMatch: undefined,
  ifModifiedSince: undefined,
  acceptEncoding: undefined,
})

async function page(app: App, path: string): Promise<Page> {
  const res = await app.request(path)
  expect(res.status, await res.clone().text()).toBe(200)
  expect(res.headers.get('cache-control')).toBe('no-store')
  return (await res.json()) as Page
}

async function problem(app: App, path: string, status: number): Promise<{ code: string; detail: string }> {
  const res = await app.request(path)
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
  return (await res.json()) as { code: string; detail: string }
}

describe('GET /{locale}/changes', () => {
  it('lists a locale’s changes oldest first (published, updated, retracted) and continues from next_cursor', async () => {
    const { app } = await sampleApp()
    const empty = await page(app, '/ru/changes')
    expect(empty.changes).toEqual([])
    expect(
      (await postRepublish(app, { upsert: [story, { ...story, locale: 'kk', title: 'Курсор' }] })).status,
    ).toBe(200)
    expect((await postRepublish(app, { upsert: [corrected] })).status).toBe(200)
    expect((await postRepublish(app, { retract: [{ id: story.id, locale: 'ru' }] })).status).toBe(200)

    const first = await page(app, `/ru/changes?cursor=${empty.next_cursor}`)
    expect(first.changes.map((c) => [c.type, c.id, c.locale])).toEqual([
      ['published', 'sco-cursor', 'ru'],
      ['updated', 'sco-cursor', 'ru'],
      ['retracted', 'sco-cursor', 'ru'],
    ])
    const [published, updated, retracted] = first.changes
    expect(published!.uri).toBe('tag:silkfeed.dev,2026:article/sco-cursor/ru')
    expect(published!.item).toBe('https://feeds.silkfeed.test/ru/items/sco-cursor.ninjs.json')
    // Versions sort: a partner keeps the greatest it has seen of each uri.
    expect([published!.version, updated!.version, retracted!.version]).toEqual(
      [published!.version, updated!.version, retracted!.version].sort(),
    )
    expect(new Set([published!.version, updated!.version, retracted!.version]).size).toBe(3)
    const item = (await (await app.request('/ru/items/sco-cursor.ninjs.json')).json()) as { version: string }
    expect(item.version).toBe(retracted!.version)

    // Nothing is delivered twice, and the next change follows.
    const after = await page(app, `/ru/changes?cursor=${first.next_cursor}`)
    expect(after.changes).toEqual([])
    await postRepublish(app, { upsert: [{ ...story, id: 'sco-cursor-2' }] })
    const next = await page(app, `/ru/changes?cursor=${after.next_cursor}`)
    expect(next.changes.map((c) => [c.type, c.id])).toEqual([['published', 'sco-cursor-2']])
    // Other locales see only their own changes.
    const kk = await page(app, `/kk/changes`)
    expect(kk.changes.map((c) => [c.type, c.locale])).toEqual([['published', 'kk']])
  })

  it('holds the request with ?wait= until a change arrives, and answers with it', async () => {
    const { app } = await sampleApp()
    const start = await page(app, '/ru/changes')
    const waiting = page(app, `/ru/changes?cursor=${start.next_cursor}&wait=15`)
    expect((await postRepublish(app, { upsert: [story] })).status).toBe(200)
    const arrived = await waiting
    expect(arrived.changes.map((c) => [c.type, c.id])).toEqual([['published', 'sco-cursor']])
  })

  it('answers a poll with nothing new, within a moment of another, without asking storage', async () => {
    const store = new MemoryObjectStore()
    const now = Date.now()
    const app = appOver(store, { now: () => now })
    await postRepublish(app, { upsert: [story] })
    const first = await page(app, '/ru/changes')
    expect(first.changes).toHaveLength(1)
    await page(app, `/ru/changes?cursor=${first.next_cursor}`)
    const before = store.requests
    const again = await page(app, `/ru/changes?cursor=${first.next_cursor}`)
    expect(again.changes).toEqual([])
    expect(store.requests - before).toBe(0)
  })

  it('never answers a remembered quiet poll once this process appended, nor once its release is due', async () => {
    const store = new MemoryObjectStore()
    let now = Date.now()
    const app = appOver(store, { now: () => now })
    const { next_cursor: cursor } = await page(app, '/ru/changes')
    const quiet = await page(app, `/ru/changes?cursor=${cursor}`)
    expect(quiet.changes).toEqual([])
    expect(await page(app, `/ru/changes?cursor=${cursor}`)).toEqual(quiet)
    const embargoUntil = new Date(now + 500).toISOString()
    expect(
      (await postRepublish(app, { upsert: [story, { ...story, id: 'sco-cursor-e', embargoUntil }] })).status,
    ).toBe(200)
    const news = await page(app, `/ru/changes?cursor=${cursor}`)
    expect(news.changes.map((c) => [c.type, c.id])).toEqual([['published', 'sco-cursor']])
    const waiting = await page(app, `/ru/changes?cursor=${news.next_cursor}`)
    expect(waiting.changes).toEqual([])
    now += 500
    const released = await page(app, `/ru/changes?cursor=${news.next_cursor}`)
    expect(released.changes.map((c) => [c.type, c.id])).toEqual([['released', 'sco-cursor-e']])
  })

  it('answers a remembered quiet poll in the Node front with the app’s bytes and headers, until news', async () => {
    const store = new MemoryObjectStore()
    const app = appOver(store)
    const { next_cursor: cursor } = await page(app, '/ru/changes')
    const request = frontRequest
    expect(app.front(request(`/ru/changes?cursor=${cursor}`))).toBeUndefined() // nothing remembered yet
    const quiet = await app.request(`/ru/changes?cursor=${cursor}`)
    const body = await quiet.text()
    const answer = app.front(request(`/ru/changes?cursor=${cursor}`))!
    expect(answer.status).toBe(200)
    expect(new TextDecoder().decode(answer.body!)).toBe(body)
    const headers = new Map<string, string>()
    for (let i = 0; i < answer.rawHeaders.length; i += 2)
      headers.set(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!)
    for (const name of ['content-type', 'cache-control', 'access-control-allow-origin'])
      expect(headers.get(name)).toBe(quiet.headers.get(name))
    expect(headers.get('x-request-id')).toBe('req-test')
    // Another locale, a wait or another query is the app's to answer (a 400 for the locale).
    expect(app.front(request(`/kk/changes?cursor=${cursor}`))).toBeUndefined()
    expect(app.front(request(`/ru/changes?cursor=${cursor}&wait=5`))).toBeUndefined()
    expect((await postRepublish(app, { upsert: [story] })).status).toBe(200)
    expect(app.front(request(`/ru/changes?cursor=${cursor}`))).toBeUndefined()
    const news = await page(app, `/ru/changes?cursor=${cursor}`)
    expect(news.changes.map((c) => c.id)).toEqual(['sco-cursor'])
  })

  it('gives the polls the answer in hand while one of them makes it anew, never once this process appended', async () => {
    const store = new MemoryObjectStore()
    let now = Date.now()
    const app = appOver(store, { now: () => now })
    const { next_cursor: cursor } = await page(app, '/ru/changes')
    const target = `/ru/changes?cursor=${cursor}`
    const poll = () => {
      const answer = app.front(frontRequest(target))
      return answer && new TextDecoder().decode(answer.body!)
    }
    const quiet = await (await app.request(target)).text()
    expect(poll()).toBe(quiet)
    // Past its time: the first poll goes to the app (which lists the log again), the others
    // meanwhile get the answer in hand, without storage, for a second at most.
    now += 1000 + QUIET_REFRESH_MS / 2 // a listing is shared for 1 s here (HOT_CACHE_MS 2 s)
    expect(poll()).toBeUndefined()
    const before = store.requests
    expect(poll()).toBe(quiet)
    expect(poll()).toBe(quiet)
    expect(store.requests).toBe(before)
    now += QUIET_REFRESH_MS
    expect(poll()).toBeUndefined()
    expect(poll()).toBeUndefined()
    // The app's answer made anew (nothing new): remembered, and the front gives it.
    const again = await (await app.request(target)).text()
    expect(JSON.parse(again)).toMatchObject({ changes: [], more: false })
    expect(poll()).toBe(again)
    // This process's own news is never held back: after an append, no poll gets the answer in hand.
    expect((await postRepublish(app, { upsert: [story] })).status).toBe(200)
    expect(poll()).toBeUndefined()
    expect(poll()).toBeUndefined()
    const news = await page(app, target)
    expect(news.changes.map((c) => c.id)).toEqual(['sco-cursor'])
    // A poll that found news forgets the quiet answer: the front no longer gives it.
    expect(poll()).toBeUndefined()
  })

  it('never gives the answer in hand past a release the cursor holds, even while a poll makes it anew', async () => {
    const store = new MemoryObjectStore()
    let now = Date.now()
    const app = appOver(store, { now: () => now })
    const { next_cursor: start } = await page(app, '/ru/changes')
    const embargoUntil = new Date(now + 500).toISOString()
    const embargoed = { ...story, id: 'sco-cursor-e', embargoUntil }
    expect((await postRepublish(app, { upsert: [story, embargoed] })).status).toBe(200)
    const news = await page(app, `/ru/changes?cursor=${start}`)
    expect(news.changes.map((c) => c.id)).toEqual(['sco-cursor'])
    const target = `/ru/changes?cursor=${news.next_cursor}`
    const quiet = await page(app, target)
    expect(quiet.changes).toEqual([])
    const poll = () => app.front(frontRequest(target))
    expect(poll()).toBeDefined()
    now += 600 // past the release, within a second of the answer's time
    expect(poll()).toBeUndefined()
    expect(poll()).toBeUndefined()
    const released = await page(app, target)
    expect(released.changes.map((c) => [c.type, c.id])).toEqual([['released', 'sco-cursor-e']])
  })

  it('answers an empty page once the wait is over when nothing changed', async () => {
    const { app } = await sampleApp()
    const start = await page(app, '/ru/changes')
    const waited = await page(app, `/ru/changes?cursor=${start.next_cursor}&wait=1`)
    expect(waited.changes).toEqual([])
    expect(waited.next_cursor).toEqual(expect.any(String))
  })

  it('continues a cursor in another process over the same store (restart, redeploy)', async () => {
    const store = new MemoryObjectStore()
    const before = appOver(store)
    const start = await page(before, '/ru/changes')
    await postRepublish(before, { upsert: [story] })
    const after = appOver(store)
    const continued = await page(after, `/ru/changes?cursor=${start.next_cursor}`)
    expect(continued.changes.map((c) => c.id)).toEqual(['sco-cursor'])
  })

  it.each([
    ['16', 'above 15'],
    ['abc', 'not a number'],
    ['-1', 'negative'],
    ['+1', 'signed'],
    ['', 'empty'],
    ['.', 'no digits'],
    ['1e1', 'an exponent'],
    ['NaN', 'not a number'],
    ['Infinity', 'not a number'],
    ['15.001', 'above 15'],
    [' 1', 'not a plain number'],
  ])('refuses wait=%j (%s) with a 400 that names the range', async (wait) => {
    const { app } = await sampleApp()
    const body = await problem(app, `/ru/changes?wait=${wait}`, 400)
    expect(body.code).toBe('WAIT_INVALID')
    expect(body.detail).toContain('15')
  })

  it.each(['015', '.5', '1.2345', '0.0', '15', '15.000', '2.'])(
    'accepts wait=%s, a plain decimal number of seconds from 0 to 15',
    async (wait) => {
      const { app } = await sampleApp()
      const { next_cursor } = await page(app, '/ru/changes')
      const started = Date.now()
      // Nothing new comes: a wait of w seconds is answered after w seconds (the short ones, here).
      const held =
        Number(wait) <= 2 ? await page(app, `/ru/changes?cursor=${next_cursor}&wait=${wait}`) : undefined
      if (held) {
        expect(held.changes).toEqual([])
        expect(Date.now() - started).toBeGreaterThanOrEqual(Number(wait) * 1000 - 50)
      } else {
        // A long wait is cut short by a change.
        const pending = page(app, `/ru/changes?cursor=${next_cursor}&wait=${wait}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
        await postRepublish(app, { upsert: [story] })
        expect((await pending).changes.map((c) => c.id)).toEqual(['sco-cursor'])
      }
    },
  )

  it.each([
    ['wait', 'wait=0&wait=99'],
    ['wait', 'wait=99&wait=0'],
    ['wait', 'wait=1&wait=1'],
    ['cursor', 'cursor=a&cursor=b'],
    ['cursor', 'cursor=&cursor=x'],
  ])('refuses %s sent twice (?%s) with a 400 saying to send it once', async (name, query) => {
    const { app } = await sampleApp()
    const body = await problem(app, `/ru/changes?${query}`, 400)
    expect(body.code).toBe('QUERY_PARAMETER_REPEATED')
    expect(body.detail).toContain(name)
    expect(body.detail).toContain('once')
    const ru = await app.request(`/ru/changes?${query}`, { headers: { 'accept-language': 'ru' } })
    expect(((await ru.json()) as { detail: string }).detail).toMatch(/один раз/)
  })

  it('refuses a malformed, altered, foreign or other-locale cursor with a 400 saying to start again', async () => {
    const { app } = await sampleApp()
    const cursor = (await page(app, '/ru/changes')).next_cursor
    const [payload, mac] = cursor.split('.') as [string, string]
    const altered = `${payload.slice(0, -2)}${payload.endsWith('A') ? 'B' : 'A'}${payload.slice(-1)}.${mac}`
    const other = appOver(new MemoryObjectStore(), {}, undefined, {
      secrets: ['another-deployment-secret-0123'],
    })
    const { next_cursor: foreign } = await page(other, '/ru/changes')
    for (const [bad, reason] of [
      ['not-a-cursor', 'malformed'],
      [altered, 'not one this server issued'],
      [foreign, 'not one this server issued'],
    ] as const) {
      const body = await problem(app, `/ru/changes?cursor=${encodeURIComponent(bad)}`, 400)
      expect(body.code).toBe('CURSOR_INVALID')
      expect(body.detail).toContain(reason)
      expect(body.detail).toContain('without a cursor')
    }
    const body = await problem(app, `/kk/changes?cursor=${cursor}`, 400)
    expect(body.detail).toContain('another locale')
  })

  it('answers 410 Gone, saying to backfill, for a cursor older than the log’s retention', async () => {
    let now = Date.parse('2026-11-24T00:00:00Z')
    const app = appOver(new MemoryObjectStore(), { now: () => now, changeLogMs: 3_600_000 })
    const { next_cursor: cursor } = await page(app, '/ru/changes')
    now += 2 * 3_600_000
    const body = await problem(app, `/ru/changes?cursor=${cursor}`, 410)
    expect(body.code).toBe('CURSOR_EXPIRED')
    expect(body.detail).toContain('/ru/{feed}.ninjs.json')
  })

  it('says so in the visitor’s language', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/ru/changes?wait=99', { headers: { 'accept-language': 'uz-Cyrl' } })
    expect(res.headers.get('content-language')).toBe('uz-Cyrl')
    expect(((await res.json()) as { detail: string }).detail).toMatch(/сониялар/)
  })
})
