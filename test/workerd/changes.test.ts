import { describe, expect, it } from 'vitest'
import { postSignedRepublish, worker } from './signed-republish.ts'
const BASE = 'https://feeds.silkfeed.test'

async function upsert(id: string): Promise<void> {
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
      },
    ],
  })
  const res = await postSignedRepublish(body)
  expect(res.status).toBe(200)
}

interface Page {
  changes: { type: string; id: string }[]
  next_cursor: string
}

async function changes(query: string): Promise<Page> {
  const res = await worker.fetch(`${BASE}/ru/changes${query}`)
  expect(res.status).toBe(200)
  return (await res.json()) as Page
}

/** Follows the cursor until the page is empty, collecting the ids it delivered. */
async function drain(cursor: string): Promise<{ ids: string[]; cursor: string }> {
  const ids: string[] = []
  for (;;) {
    const page = await changes(`?cursor=${cursor}`)
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
})
