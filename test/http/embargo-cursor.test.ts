import { beforeEach, describe, expect, it } from 'vitest'
import { ADMIN_SECRET, createPartner } from '../support/admin.ts'
import { partnerSampleApp } from '../support/app.ts'
import type { ChangesPage } from '../support/changes.ts'
import { postRepublish } from '../support/webhook.ts'

// The change cursor carries the releases still ahead of its reader, so any process can announce
// them on time. A reader without the embargo entitlement holds that cursor: it must not be able to
// read from it which story is held, or until when.

const ID = 'cursor-held-secret'

let clock: number
let app: Awaited<ReturnType<typeof partnerSampleApp>>['app']

beforeEach(async () => {
  clock = Date.now()
  ;({ app } = await partnerSampleApp({
    now: () => clock,
    adminSecrets: [ADMIN_SECRET],
    partnersFreshMs: 2000,
  }))
})

async function page(path: string): Promise<ChangesPage> {
  const res = await app.request(path)
  expect(res.status, await res.clone().text()).toBe(200)
  return (await res.json()) as ChangesPage
}

/** Everything a client can decode from a cursor without the server's secret. */
function readable(cursor: string): string {
  const payload = cursor.slice(0, cursor.indexOf('.'))
  return atob(payload.replace(/-/g, '+').replace(/_/g, '/'))
}

describe('a cursor past a story under embargo', () => {
  it('names neither the story nor its release time, and still announces the release at that time', async () => {
    const plain = await createPartner(app, { name: 'Plain', feeds: ['sco'], locales: ['ru'] })
    const readers = ['/ru/changes', `/p/${plain.key}/ru/changes`]
    const starts = await Promise.all(readers.map((path) => page(path)))
    const until = clock + 120_000
    const res = await postRepublish(
      app,
      {
        upsert: [
          {
            id: ID,
            locale: 'ru',
            title: 'Скрыто',
            url: `https://news.silkfeed.dev/ru/${ID}`,
            publishedAt: new Date(clock - 60_000).toISOString(),
            sections: ['sco'],
            embargoUntil: new Date(until).toISOString(),
          },
        ],
      },
      { t: clock / 1000 },
    )
    expect(res.status).toBe(200)
    clock += 1000
    for (const [i, path] of readers.entries()) {
      const held = await page(`${path}?cursor=${starts[i]!.next_cursor}`)
      expect(held.changes).toEqual([])
      const decoded = readable(held.next_cursor)
      expect(decoded, path).not.toContain(ID)
      expect(decoded, path).not.toContain(String(until))
      clock += 120_000
      const released = await page(`${path}?cursor=${held.next_cursor}`)
      expect(
        released.changes.map((c) => [c.type, c.id]),
        path,
      ).toEqual([['released', ID]])
      clock -= 120_000
    }
  })
})
