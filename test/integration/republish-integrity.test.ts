import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { StorageUnavailableError } from '../../src/ports/object-store.ts'
import { ADMIN_SECRET, createPartner } from '../support/admin.ts'
import { appOver } from '../support/app.ts'
import { overriding } from '../support/memory-store.ts'
import type { ChangesPage } from '../support/changes.ts'
import { startSeededS3, storeFor } from '../support/s3.ts'
import { postRepublish } from '../support/webhook.ts'

// The republish path's promises about what is stored and logged, against s3rver over HTTP: a
// retraction sent again for a weightier reason is stored and logged, a lighter one changes nothing;
// a request that fails part-way logs nothing that was not stored, and its retry logs all of it.

let s3: EmbeddedS3
let directory: string
/** Puts under `articles/` fail once `faults.articlePutsLeft` reaches zero (negative: never). */
const faults = { articlePutsLeft: -1, logPutsToFail: 0, articlePutDelayMs: 0 }
/** When each article put landed, and the log keys put, in order (for the entry's timing). */
const landed = { articles: [] as number[], logKeys: [] as string[] }
let app: ReturnType<typeof appOver>

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-integrity-'))
  ;({ embedded: s3 } = await startSeededS3(directory, 'silkfeed-integrity'))
  const store = storeFor(s3.endpoint, 'silkfeed-integrity', 5000)
  const faulty = overriding(store, {
    put: (k, b, m) => {
      const articleFails =
        k.startsWith('articles/') && faults.articlePutsLeft >= 0 && faults.articlePutsLeft-- <= 0
      const logFails = k.startsWith('log/') && faults.logPutsToFail > 0 && faults.logPutsToFail-- > 0
      if (articleFails || logFails) return Promise.reject(new StorageUnavailableError('injected'))
      if (k.startsWith('log/')) landed.logKeys.push(k)
      if (!k.startsWith('articles/')) return store.put(k, b, m)
      return new Promise((resolve) => setTimeout(resolve, faults.articlePutDelayMs))
        .then(() => store.put(k, b, m))
        .then((etag) => {
          landed.articles.push(Date.now())
          return etag
        })
    },
  })
  app = appOver(faulty, { freshMs: 0 }, undefined, {}, undefined, { adminSecrets: [ADMIN_SECRET] })
})

afterAll(async () => {
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

function story(id: string, extra: Partial<Article> = {}): Article {
  return {
    id,
    locale: 'ru',
    title: `Новость ${id}`,
    url: `https://news.silkfeed.dev/ru/${id}`,
    publishedAt: '2026-11-24T00:00:00Z',
    sections: ['sco'],
    ...extra,
  }
}

/** Every change of the cursor at `path` (public or keyed), from its start, in order. */
async function allChanges(path: string): Promise<ChangesPage['changes']> {
  const changes: ChangesPage['changes'] = []
  let cursor: string | undefined
  for (;;) {
    const res = await app.request(`${path}${cursor ? `?cursor=${cursor}` : ''}`)
    expect(res.status).toBe(200)
    const page = (await res.json()) as ChangesPage
    changes.push(...page.changes)
    cursor = page.next_cursor
    if (!page.more) return changes
  }
}

const ok = async (payload: unknown, t?: number) => {
  const res = await postRepublish(app, payload, t === undefined ? {} : { t })
  expect(res.status, await res.clone().text()).toBe(200)
  return res
}

describe('a retraction sent again', () => {
  it('makes a withdrawal a kill for every reader (public and section-scoped cursors, feed, archive), and a replayed withdrawal undoes nothing', async () => {
    const partner = await createPartner(app, { name: 'Desk', feeds: ['sco'], locales: ['ru'] })
    const id = 'escalated-kill'
    // Fifty newer stories fill the `latest` window, so March 2021 is an archive month.
    const fillers = Array.from({ length: 50 }, (_, n) =>
      story(`escalation-filler-${n}`, {
        sections: ['economy'],
        publishedAt: `2026-11-2${n % 10}T0${n % 8}:00:00Z`,
      }),
    )
    const neighbour = story('escalation-neighbour', { publishedAt: '2021-03-11T09:00:00Z' })
    await ok({ upsert: [...fillers, neighbour, story(id, { publishedAt: '2021-03-10T09:00:00Z' })] })

    // The withdrawal and the kill signed in the same second (as a CMS escalating at once would).
    const t = Math.floor(Date.now() / 1000)
    const withdrawal = { retract: [{ id, locale: 'ru' }] }
    await ok(withdrawal, t)
    await ok({ retract: [{ id, locale: 'ru', reason: 'kill' }] }, t)
    // The withdrawal replayed, byte for byte and with its signature time.
    const replay = await ok(withdrawal, t)
    expect(((await replay.json()) as { retracted: unknown[] }).retracted).toEqual([{ id, locale: 'ru' }])

    const reasons = (changes: ChangesPage['changes']) =>
      changes.filter((c) => c.id === id && c.type === 'retracted').map((c) => c.reason)
    const publicChanges = await allChanges('/ru/changes')
    expect(reasons(publicChanges)).toEqual(['withdrawn', 'kill'])
    const partnerChanges = await allChanges(`/p/${partner.key}/ru/changes`)
    expect(reasons(partnerChanges)).toEqual(['withdrawn', 'kill'])
    // A reader keeping the greatest version per uri ends on the kill.
    for (const changes of [publicChanges, partnerChanges]) {
      const mine = changes.filter((c) => c.id === id)
      const newest = mine.reduce((a, b) => (b.version > a.version ? b : a))
      expect(newest).toMatchObject({ type: 'retracted', reason: 'kill' })
      expect(mine.at(-1)).toMatchObject({ type: 'retracted', reason: 'kill' })
    }

    const deleted = async (path: string) => {
      const res = await app.request(path)
      expect(res.status).toBe(200)
      const feed = (await res.json()) as { _silkfeed: { deleted?: { id: string; reason: string }[] } }
      return (feed._silkfeed.deleted ?? []).filter((d) => d.id.includes(`/${id}/`)).map((d) => d.reason)
    }
    expect(await deleted('/ru/latest/archive/2021-03.json')).toEqual(['kill'])
    const atom = await (await app.request('/ru/latest/archive/2021-03.atom')).text()
    const entry = new RegExp(`<at:deleted-entry ref="[^"]*/${id}/ru"[\\s\\S]*?</at:deleted-entry>`).exec(atom)
    expect(entry?.[0]).toContain('по юридическим причинам')
    expect(entry?.[0]).not.toContain('снят с публикации')
    expect(await deleted('/ru/sco.json')).toEqual(['kill'])
    const item = (await (await app.request(`/ru/items/${id}.ninjs.json`)).json()) as { pubStatus: string }
    expect(item.pubStatus).toBe('canceled')
  })
})

describe('storage failing part-way through a batch', () => {
  it('logs none of a rejected batch, and the retry logs and shows every story', async () => {
    const ids = Array.from({ length: 300 }, (_, n) => `stalled-${n}`)
    const payload = {
      upsert: ids.map((id, n) =>
        story(id, { publishedAt: new Date(Date.parse('2026-11-25T00:00:00Z') + n * 60_000).toISOString() }),
      ),
    }
    faults.articlePutsLeft = 100
    const failed = await postRepublish(app, payload)
    faults.articlePutsLeft = -1
    expect(failed.status).toBe(503)
    expect(failed.headers.get('retry-after')).toBeTruthy()

    const announced = (changes: ChangesPage['changes']) =>
      new Set(changes.filter((c) => c.id.startsWith('stalled-')).map((c) => c.id))
    // Nothing of the batch is announced: no entry names a version that was not stored. (The part
    // that was stored is durable: a feed rendered again from the stored records may show it.)
    expect([...announced(await allChanges('/ru/changes'))]).toEqual([])

    // Sent again, the request completes: every story is in the log, and the newest in the feeds.
    await ok(payload)
    expect(announced(await allChanges('/ru/changes')).size).toBe(300)
    const feed = (await (await app.request('/ru/sco.json')).json()) as { items: { id: string }[] }
    expect(feed.items.some((i) => i.id.includes('/stalled-299/'))).toBe(true)
  })

  it('logs, on the retry, the versions and retractions whose log entry was lost', async () => {
    await ok({ upsert: [story('lost-log-pulled')] })
    const payload = { upsert: [story('lost-log-new')], retract: [{ id: 'lost-log-pulled', locale: 'ru' }] }
    faults.logPutsToFail = 1
    expect((await postRepublish(app, payload)).status).toBe(503)
    faults.logPutsToFail = 0
    const before = (await allChanges('/ru/changes')).filter((c) => c.id.startsWith('lost-log-'))
    expect(before.map((c) => `${c.type} ${c.id}`)).toEqual(['published lost-log-pulled'])

    await ok(payload)
    const after = (await allChanges('/ru/changes')).filter((c) => c.id.startsWith('lost-log-'))
    expect(after.map((c) => `${c.type} ${c.id}`).sort()).toEqual([
      'published lost-log-new',
      'published lost-log-pulled',
      'retracted lost-log-pulled',
    ])
  })
})

describe('a request whose writes take long', () => {
  it('names its change-log entry by the time the writes were durable, inside the cursor look-back', async () => {
    faults.articlePutDelayMs = 1500
    landed.articles.length = 0
    landed.logKeys.length = 0
    try {
      const res = await postRepublish(app, { upsert: [story('slow-writes')] })
      expect(res.status).toBe(200)
    } finally {
      faults.articlePutDelayMs = 0
    }
    // log/<ms since the epoch, 15 digits>-<id>.json: a cursor that read the log just before the
    // entry landed must still find it within 2 × STORAGE_TIMEOUT_MS of that time.
    expect(landed.logKeys).toHaveLength(1)
    const named = Number(/^log\/(\d{15})-/.exec(landed.logKeys[0]!)![1])
    expect(landed.articles.length).toBeGreaterThan(0)
    expect(named).toBeGreaterThanOrEqual(Math.max(...landed.articles))
  })
})
