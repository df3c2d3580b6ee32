import { beforeEach, describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { ADMIN_SECRET, adminRequest, createPartner } from '../support/admin.ts'
import { appOver, partnerSampleApp } from '../support/app.ts'
import type { MemoryObjectStore } from '../support/memory-store.ts'
import { postRepublish } from '../support/webhook.ts'
import type { ChangesPage } from '../support/changes.ts'

type Page = ChangesPage

let clock: number
let store: MemoryObjectStore
let app: Awaited<ReturnType<typeof partnerSampleApp>>['app']

beforeEach(async () => {
  clock = Date.now()
  ;({ app, store } = await partnerSampleApp({
    now: () => clock,
    adminSecrets: [ADMIN_SECRET],
    partnersFreshMs: 2000,
  }))
})

const post = async (payload: unknown) => {
  const res = await postRepublish(app, payload, { t: clock / 1000 })
  expect(res.status, await res.clone().text()).toBe(200)
  clock += 1 // the log orders entries by write time: one per millisecond keeps them in sending order
}

function story(id: string, overrides: Partial<Article> = {}): Article {
  return {
    id,
    locale: 'ru',
    title: `Новость ${id}`,
    url: `https://news.silkfeed.dev/ru/2026/12/05/${id}`,
    publishedAt: new Date(clock - 3_600_000).toISOString(),
    sections: ['sco'],
    ...overrides,
  }
}

async function page(path: string, headers: Record<string, string> = {}): Promise<Page> {
  const res = await app.request(path, { headers })
  expect(res.status, await res.clone().text()).toBe(200)
  expect(res.headers.get('cache-control')).toBe('no-store')
  return (await res.json()) as Page
}

const types = (p: Page) => p.changes.map((c) => [c.type, c.id])

/** A story under embargo for `ms`, sent after a public reader's position; that reader's next page shows nothing. */
/** Two partners reading sco in ru: one entitled to embargoed stories (early), one not (plain). */
async function scoReaders() {
  return {
    early: await createPartner(app, { name: 'Early', feeds: ['sco'], locales: ['ru'], embargoed: true }),
    plain: await createPartner(app, { name: 'Plain', feeds: ['sco'], locales: ['ru'] }),
  }
}

async function postEmbargoed(id: string, ms: number): Promise<{ until: string; hidden: Page }> {
  const start = await page('/ru/changes')
  const until = new Date(clock + ms).toISOString()
  await post({ upsert: [story(id, { embargoUntil: until })] })
  const hidden = await page(`/ru/changes?cursor=${start.next_cursor}`)
  expect(hidden.changes).toEqual([])
  return { until, hidden }
}

describe('release from embargo on the change cursor', () => {
  it('announces an embargoed story to the public as released exactly at its time, never before', async () => {
    const { until, hidden } = await postEmbargoed('cursor-embargo', 120_000)
    // A second before the release, following the cursor still shows nothing.
    clock += 119_000
    const still = await page(`/ru/changes?cursor=${hidden.next_cursor}`)
    expect(still.changes).toEqual([])
    clock += 1_000
    const released = await page(`/ru/changes?cursor=${still.next_cursor}`)
    expect(types(released)).toEqual([['released', 'cursor-embargo']])
    const [change] = released.changes
    expect(Date.parse(change!.at)).toBe(Date.parse(until))
    expect(change!.embargoedUntil).toBeUndefined()
    // The version announced is the one the item now serves, and it is announced once.
    const item = (await (await app.request('/ru/items/cursor-embargo.ninjs.json')).json()) as {
      version: string
    }
    expect(change!.version).toBe(item.version)
    expect((await page(`/ru/changes?cursor=${released.next_cursor}`)).changes).toEqual([])
  })

  it('holds a ?wait= request until the release and answers with it', async () => {
    // A clock that follows real time: the wait ends at the release, not at the next poll.
    const live = appOver(store)
    const start = (await (await live.request('/ru/changes')).json()) as Page
    const until = Date.now() + 3_000
    const embargoed = story('cursor-embargo-wait', { embargoUntil: new Date(until).toISOString() })
    expect((await postRepublish(live, { upsert: [embargoed] })).status).toBe(200)
    const res = await live.request(`/ru/changes?cursor=${start.next_cursor}&wait=10`)
    const body = (await res.json()) as Page
    expect(Date.now()).toBeGreaterThanOrEqual(until)
    expect(types(body)).toEqual([['released', 'cursor-embargo-wait']])
  })

  it('announces no release for a version replaced or retracted before its time', async () => {
    const start = await page('/ru/changes')
    await post({ upsert: [story('cursor-moved', { embargoUntil: new Date(clock + 60_000).toISOString() })] })
    await post({ upsert: [story('cursor-pulled', { embargoUntil: new Date(clock + 60_000).toISOString() })] })
    clock += 10_000
    // Postponed by 20 minutes (a newer version), and pulled before release.
    await post({
      upsert: [
        story('cursor-moved', {
          embargoUntil: new Date(clock + 1_200_000).toISOString(),
          updatedAt: new Date(clock).toISOString(),
        }),
      ],
    })
    await post({ retract: [{ id: 'cursor-pulled', locale: 'ru', reason: 'kill' }] })
    // Pulled under embargo: the public never learns of the story (see below).
    const before = await page(`/ru/changes?cursor=${start.next_cursor}`)
    expect(before.changes).toEqual([])
    clock += 120_000
    expect((await page(`/ru/changes?cursor=${before.next_cursor}`)).changes).toEqual([])
    clock += 1_200_000
    expect(types(await page(`/ru/changes?cursor=${before.next_cursor}`))).toEqual([
      ['released', 'cursor-moved'],
    ])
  })
})

describe('a postponed embargo on the change cursor', () => {
  it('shows no version of the story while its newest is under embargo, to the public and to partners not entitled', async () => {
    const { early, plain } = await scoReaders()
    const ID = 'cursor-postponed'
    const start = await page('/ru/changes')
    const t1 = clock + 12_000
    const t2 = clock + 30_000
    await post({ upsert: [story(ID, { embargoUntil: new Date(t1).toISOString() })] })
    // Postponed: a newer version, under embargo until later.
    await post({
      upsert: [
        story(ID, { updatedAt: new Date(clock).toISOString(), embargoUntil: new Date(t2).toISOString() }),
      ],
    })
    const readers = [
      ['public', (cursor: string) => page(`/ru/changes?cursor=${cursor}`)],
      ['plain partner', (cursor: string) => page(`/p/${plain.key}/ru/changes?cursor=${cursor}`)],
    ] as const
    // Between the first embargo time and the new one: neither version, and the item is unknown.
    clock = t1 + 1_000
    const between = new Map<string, Page>()
    for (const [who, read] of readers) {
      const got = await read(start.next_cursor)
      expect(
        got.changes.filter((c) => c.id === ID),
        who,
      ).toEqual([])
      between.set(who, got)
    }
    expect((await app.request(`/ru/items/${ID}.ninjs.json`)).status).toBe(404)
    // The partner entitled to embargoed stories sees both versions, the newer marked with its embargo.
    const entitled = await page(`/p/${early.key}/ru/changes?cursor=${start.next_cursor}`)
    expect(entitled.changes.filter((c) => c.id === ID).map((c) => [c.type, c.embargoedUntil])).toEqual([
      ['published', undefined],
      ['updated', new Date(t2).toISOString()],
    ])
    const newest = entitled.changes.at(-1)!.version

    // At the new time: the newer version is released, and its item answers.
    clock = t2
    for (const [who, read] of readers) {
      const released = await read(between.get(who)!.next_cursor)
      expect(types(released), who).toEqual([['released', ID]])
      expect(released.changes[0]!.version).toBe(newest)
      expect(Date.parse(released.changes[0]!.at)).toBe(t2)
    }
    const item = await app.request(`/ru/items/${ID}.ninjs.json`)
    expect(item.status).toBe(200)
    expect(((await item.json()) as { version: string }).version).toBe(newest)
    // A reader that reaches the entries only after the release gets both at their places.
    const late = await page(`/ru/changes?cursor=${start.next_cursor}`)
    expect(types(late).filter(([, id]) => id === ID)).toEqual([
      ['published', ID],
      ['updated', ID],
    ])
  })

  it('never releases a postponed story pulled before its new time, nor the version it replaced', async () => {
    const ID = 'cursor-postponed-pulled'
    const start = await page('/ru/changes')
    const t1 = clock + 12_000
    await post({ upsert: [story(ID, { embargoUntil: new Date(t1).toISOString() })] })
    const postponed = {
      updatedAt: new Date(clock).toISOString(),
      embargoUntil: new Date(clock + 60_000).toISOString(),
    }
    await post({ upsert: [story(ID, postponed)] })
    clock = t1 + 5_000 // past the first time, before the new one (a webhook is signed in whole seconds)
    await post({ retract: [{ id: ID, reason: 'kill' }] })
    for (const at of [t1 + 6_000, t1 + 600_000]) {
      clock = at
      const { changes } = await page(`/ru/changes?cursor=${start.next_cursor}`)
      expect(changes.filter((c) => c.id === ID)).toEqual([])
      expect((await app.request(`/ru/items/${ID}.ninjs.json`)).status).toBe(404)
    }
  })

  it('holds a version back as storage tells, when the newer version is not yet in the log this process listed', async () => {
    // Another instance over the same bucket receives the webhooks; this one shares a listing of the
    // log for a moment (under a second), so the postponement may reach its readers late.
    const writer = appOver(store, { now: () => clock })
    const send = async (upsert: Article) => {
      const res = await postRepublish(writer, { upsert: [upsert] }, { t: clock / 1000 })
      expect(res.status, await res.clone().text()).toBe(200)
      clock += 1
    }
    const ID = 'cursor-postponed-elsewhere'
    const start = await page('/ru/changes')
    const t1 = clock + 1_500
    const t2 = clock + 60_000
    await send(story(ID, { embargoUntil: new Date(t1).toISOString() }))
    clock += 1_100
    expect((await page(`/ru/changes?cursor=${start.next_cursor}`)).changes).toEqual([])
    await send(
      story(ID, { updatedAt: new Date(clock).toISOString(), embargoUntil: new Date(t2).toISOString() }),
    )
    // Past the first embargo time, within the shared listing that holds only the first version.
    clock = t1 + 100
    const between = await page(`/ru/changes?cursor=${start.next_cursor}`)
    expect(between.changes.filter((c) => c.id === ID)).toEqual([])
    expect((await app.request(`/ru/items/${ID}.ninjs.json`)).status).toBe(404)
    // The newer version's entry, met later, is released at its time.
    clock += 1_000
    const met = await page(`/ru/changes?cursor=${between.next_cursor}`)
    expect(met.changes).toEqual([])
    clock = t2
    const released = await page(`/ru/changes?cursor=${met.next_cursor}`)
    expect(types(released)).toEqual([['released', ID]])
    const item = (await (await app.request(`/ru/items/${ID}.ninjs.json`)).json()) as { version: string }
    expect(released.changes[0]!.version).toBe(item.version)
  })
})

describe('retraction reasons on the change cursor', () => {
  it('carries the reason stored with each retraction (a retraction without one is a withdrawal)', async () => {
    const start = await page('/ru/changes')
    for (const id of ['cursor-kill', 'cursor-withheld', 'cursor-plain']) await post({ upsert: [story(id)] })
    await post({ retract: [{ id: 'cursor-kill', locale: 'ru', reason: 'kill' }] })
    await post({ retract: [{ id: 'cursor-withheld', locale: 'ru', reason: 'correction-pending' }] })
    await post({ retract: [{ id: 'cursor-plain', locale: 'ru' }] })
    const { changes } = await page(`/ru/changes?cursor=${start.next_cursor}`)
    const reasons = changes.filter((c) => c.type === 'retracted').map((c) => [c.id, c.reason])
    expect(reasons).toEqual([
      ['cursor-kill', 'kill'],
      ['cursor-withheld', 'correction-pending'],
      ['cursor-plain', 'withdrawn'],
    ])
    expect(changes.filter((c) => c.type !== 'retracted').every((c) => c.reason === undefined)).toBe(true)
  })
})

describe('the change cursor as a partner reads it', () => {
  async function storm() {
    const start = await page('/ru/changes')
    const until = new Date(clock + 120_000).toISOString()
    await post({
      upsert: [
        story('cursor-sco'),
        story('cursor-economy', { sections: ['economy'] }),
        story('cursor-sco-embargoed', { embargoUntil: until }),
        story('cursor-sco', { locale: 'kk', title: 'Жаңалық' }),
      ],
    })
    await post({ retract: [{ id: 'cursor-economy', locale: 'ru', reason: 'kill' }] })
    return { start, until }
  }

  it('by keyed URL or bearer key: only the stories of its feeds, embargoed ones marked if entitled', async () => {
    const wire = await createPartner(app, { name: 'Wire', feeds: ['wire'], locales: ['ru'], embargoed: true })
    const plain = await createPartner(app, { name: 'Plain', feeds: ['sco'], locales: ['ru'] })
    const { start, until } = await storm()
    const cursor = start.next_cursor

    const keyed = await page(`/p/${wire.key}/ru/changes?cursor=${cursor}`)
    expect(types(keyed)).toEqual([
      ['published', 'cursor-sco'],
      ['published', 'cursor-sco-embargoed'],
    ])
    expect(keyed.changes[1]!.embargoedUntil).toBe(until)
    expect(keyed.changes[0]!.embargoedUntil).toBeUndefined()
    // The same cursor, position and answer by header on the public URL, but for the item links: the
    // keyed cursor's are the partner's keyed items, the header's the public ones (no key in them).
    const bearer = await page(`/ru/changes?cursor=${cursor}`, { authorization: `Bearer ${wire.key}` })
    const publicLinks = keyed.changes.map((change) => ({
      ...change,
      item: change.item?.replace(`/p/${wire.key}/`, '/'),
    }))
    expect(bearer.changes).toEqual(publicLinks)
    expect(keyed.changes[0]!.item).toBe(
      `https://feeds.silkfeed.test/p/${wire.key}/ru/items/cursor-sco.ninjs.json`,
    )

    const notEntitled = await page(`/p/${plain.key}/ru/changes?cursor=${cursor}`)
    expect(types(notEntitled)).toEqual([['published', 'cursor-sco']])
    // The public sees every story of the locale but the embargoed one, and the kill with its reason.
    const open = await page(`/ru/changes?cursor=${cursor}`)
    expect(types(open)).toEqual([
      ['published', 'cursor-sco'],
      ['published', 'cursor-economy'],
      ['retracted', 'cursor-economy'],
    ])
    expect(open.changes.some((c) => c.embargoedUntil !== undefined)).toBe(false)

    // At the release, the entitled partner and the plain one both hear of it.
    clock += 120_000
    const released = await page(`/p/${wire.key}/ru/changes?cursor=${keyed.next_cursor}`)
    expect(types(released)).toEqual([['released', 'cursor-sco-embargoed']])
    expect(released.changes[0]!.version).toBe(keyed.changes[1]!.version)
    const plainReleased = await page(`/p/${plain.key}/ru/changes?cursor=${notEntitled.next_cursor}`)
    expect(types(plainReleased)).toEqual([['released', 'cursor-sco-embargoed']])
  })

  it('answers private with the key’s quota headers and logs no key', async () => {
    const partner = await createPartner(app, { name: 'Q', feeds: ['sco'], quota: 2 })
    const first = await app.request(`/p/${partner.key}/ru/changes`)
    expect(first.status).toBe(200)
    expect(first.headers.get('ratelimit-policy')).toBe('"per-minute";q=2;w=60')
    expect(first.headers.get('vary')).toBe('Authorization')
    expect(
      (await app.request('/ru/changes', { headers: { authorization: `Bearer ${partner.key}` } })).status,
    ).toBe(200)
    // Counted like feeds: the third request this minute is over the quota.
    const over = await app.request(`/p/${partner.key}/ru/changes`)
    expect(over.status).toBe(429)
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(((await over.json()) as { code: string }).code).toBe('QUOTA_EXCEEDED')
  })

  it.each([
    ['/p/{key}/ru/changes?wait=abc', 400, 'WAIT_INVALID', false],
    ['/ru/changes?cursor=bad', 400, 'CURSOR_INVALID', true],
    ['/p/{key}/zh/changes', 403, 'PARTNER_FORBIDDEN', false],
    ['/p/{key}/ru/latest.rss', 403, 'PARTNER_FORBIDDEN', false],
    ['/ru/latest.rss', 403, 'PARTNER_FORBIDDEN', true],
    ['/p/{key}/ru/nope.rss', 404, 'FEED_NOT_FOUND', false],
  ])(
    '%s: a refusal after the key was admitted counts and carries the quota’s headers (%i %s)',
    async (path, status, code, bearer) => {
      const partner = await createPartner(app, { name: 'E', feeds: ['sco'], locales: ['ru'], quota: 5 })
      const headers: Record<string, string> = { origin: 'https://reader.example' }
      if (bearer) headers.authorization = `Bearer ${partner.key}`
      const refused = await app.request(path.replace('{key}', partner.key), { headers })
      expect(refused.status).toBe(status)
      expect(((await refused.json()) as { code: string }).code).toBe(code)
      expect(refused.headers.get('ratelimit-policy')).toBe('"per-minute";q=5;w=60')
      expect(refused.headers.get('ratelimit')).toMatch(/^"per-minute";r=4;t=\d+$/)
      expect(refused.headers.get('vary')).toBe('Authorization')
      // Readable by a browser client on another origin, quota included.
      expect(refused.headers.get('access-control-allow-origin')).toBe('*')
      expect(refused.headers.get('access-control-expose-headers')).toContain('RateLimit')
      const next = await app.request(`/p/${partner.key}/ru/changes`)
      expect(next.status).toBe(200)
      expect(next.headers.get('ratelimit')).toMatch(/^"per-minute";r=3;t=\d+$/)
    },
  )

  it('lets a browser on another origin read a 429’s Retry-After and RateLimit', async () => {
    const partner = await createPartner(app, { name: 'O', feeds: ['sco'], quota: 1 })
    const origin = { origin: 'https://reader.example' }
    expect((await app.request(`/p/${partner.key}/ru/changes`, { headers: origin })).status).toBe(200)
    const over = await app.request(`/p/${partner.key}/ru/changes`, { headers: origin })
    expect(over.status).toBe(429)
    expect(over.headers.get('access-control-allow-origin')).toBe('*')
    const exposed = over.headers.get('access-control-expose-headers') ?? ''
    for (const name of ['Retry-After', 'RateLimit', 'RateLimit-Policy', 'X-Request-Id'])
      expect(exposed.split(', ')).toContain(name)
  })

  it('refuses an unknown or revoked key with the feeds’ 401, and a locale outside the agreement with a 403', async () => {
    const partner = await createPartner(app, { name: 'R', feeds: ['sco'], locales: ['ru', 'kk'] })
    const forbidden = await app.request(`/p/${partner.key}/zh/changes`)
    expect(forbidden.status).toBe(403)
    const problem = (await forbidden.json()) as { code: string; detail: string }
    expect(problem.code).toBe('PARTNER_FORBIDDEN')
    expect(problem.detail).toContain('ru, kk')
    expect(
      (await app.request('/zh/changes', { headers: { authorization: `Bearer ${partner.key}` } })).status,
    ).toBe(403)

    const unknown = await app.request(`/p/sf_${'A'.repeat(43)}/ru/changes`)
    expect(unknown.status).toBe(401)
    const unknownBody = await unknown.text()
    expect((await adminRequest(app, 'POST', `/admin/partners/${partner.id}/revoke`, {})).status).toBe(200)
    clock += 3_000 // past the key index's freshness
    const revoked = await app.request(`/p/${partner.key}/ru/changes`)
    expect(revoked.status).toBe(401)
    expect(await revoked.text()).toBe(unknownBody)
    expect(unknownBody).not.toContain(partner.key)
    const bearer = await app.request('/ru/changes', { headers: { authorization: `Bearer ${partner.key}` } })
    expect(bearer.status).toBe(401)
  })
})

describe('a story killed while still under embargo', () => {
  const ID = 'cursor-killed-early'
  const URI = `tag:silkfeed.dev,2026:article/${ID}/ru`

  /** Everything the public can read of the locale's sync documents, as text. */
  async function publicSync(cursor: string): Promise<{ changes: Page; item: Response; lists: string }> {
    const lists = await Promise.all(
      ['latest', 'sco', 'summaries'].map(async (feed) => {
        const res = await app.request(`/ru/${feed}.ninjs.json`)
        expect(res.status).toBe(200)
        return res.text()
      }),
    )
    return {
      changes: await page(`/ru/changes?cursor=${cursor}`),
      item: await app.request(`/ru/items/${ID}.ninjs.json`),
      lists: lists.join('\n'),
    }
  }

  it('never reaches the public cursor or ninjs, before or after its embargo time; the entitled partner hears the kill', async () => {
    const { early, plain } = await scoReaders()
    const start = await page('/ru/changes')
    const until = new Date(clock + 120_000).toISOString()
    await post({ upsert: [story(ID, { embargoUntil: until })] })
    clock += 10_000
    await post({ retract: [{ id: ID, reason: 'kill' }] })
    const unknown = await app.request('/ru/items/cursor-never-sent.ninjs.json')
    expect(unknown.status).toBe(404)
    const unknownProblem = (await unknown.json()) as { code: string }

    // Before the embargo time: neither the story nor its kill.
    const before = await publicSync(start.next_cursor)
    expect(before.changes.changes.filter((c) => c.id === ID)).toEqual([])
    expect(before.item.status).toBe(404)
    expect(((await before.item.json()) as { code: string }).code).toBe(unknownProblem.code)
    expect(before.lists).not.toContain(ID)
    // The partner entitled to embargoed stories saw it, and hears the kill; the other saw nothing.
    const entitled = await page(`/p/${early.key}/ru/changes?cursor=${start.next_cursor}`)
    expect(types(entitled).filter(([, id]) => id === ID)).toEqual([
      ['published', ID],
      ['retracted', ID],
    ])
    expect(entitled.changes.find((c) => c.type === 'retracted')).toMatchObject({ uri: URI, reason: 'kill' })
    const notEntitled = await page(`/p/${plain.key}/ru/changes?cursor=${start.next_cursor}`)
    expect(notEntitled.changes.filter((c) => c.id === ID)).toEqual([])

    // After the embargo time: still nothing, whether the reader follows its cursor, reads the log
    // from before the story, or starts anew.
    clock += 600_000
    for (const cursor of [before.changes.next_cursor, start.next_cursor]) {
      const after = await publicSync(cursor)
      expect(after.changes.changes.filter((c) => c.id === ID)).toEqual([])
      expect(after.item.status).toBe(404)
      expect(after.lists).not.toContain(ID)
    }
    const fresh = await page('/ru/changes')
    expect(fresh.changes.filter((c) => c.id === ID)).toEqual([])
    expect((await page(`/p/${plain.key}/ru/changes?cursor=${start.next_cursor}`)).changes).toEqual(
      notEntitled.changes,
    )
  })

  it('is unlike a story killed after its release: the public hears of that one, release and kill', async () => {
    const { hidden: waiting } = await postEmbargoed('cursor-killed-late', 60_000)
    clock += 60_000
    const released = await page(`/ru/changes?cursor=${waiting.next_cursor}`)
    expect(types(released)).toEqual([['released', 'cursor-killed-late']])
    clock += 1_000 // a webhook is signed in whole seconds: this kill is signed after the release
    await post({ retract: [{ id: 'cursor-killed-late', reason: 'kill' }] })
    const killed = await page(`/ru/changes?cursor=${released.next_cursor}`)
    expect(types(killed)).toEqual([['retracted', 'cursor-killed-late']])
    const item = await app.request('/ru/items/cursor-killed-late.ninjs.json')
    expect(item.status).toBe(200)
    expect(((await item.json()) as { pubStatus: string }).pubStatus).toBe('canceled')
  })
})

describe('a story the public saw, pulled while a newer version is under embargo', () => {
  /** Posts a newer version of `id` under embargo until `until` (ms), corrected at the clock's time. */
  const postEmbargoedVersion = (id: string, until: number) =>
    post({
      upsert: [
        story(id, { updatedAt: new Date(clock).toISOString(), embargoUntil: new Date(until).toISOString() }),
      ],
    })

  it.each(['kill', 'withdrawn', 'correction-pending'] as const)(
    'tells the public reader who holds the released version of the retraction (%s), then and after the embargo time',
    async (reason) => {
      const { plain } = await scoReaders()
      const ID = `cursor-seen-${reason}`
      const start = await page('/ru/changes')
      await post({ upsert: [story(ID)] })
      const seen = await page(`/ru/changes?cursor=${start.next_cursor}`)
      expect(types(seen)).toEqual([['published', ID]])
      const plainSeen = await page(`/p/${plain.key}/ru/changes?cursor=${start.next_cursor}`)
      expect(types(plainSeen)).toEqual([['published', ID]])
      // A newer version under embargo: the readers hear nothing of it, and hold the first one.
      const until = clock + 120_000
      await postEmbargoedVersion(ID, until)
      const held = await page(`/ru/changes?cursor=${seen.next_cursor}`)
      expect(held.changes).toEqual([])
      clock += 10_000
      await post({ retract: [{ id: ID, reason }] })

      const told = await page(`/ru/changes?cursor=${held.next_cursor}`)
      expect(told.changes.map((c) => [c.type, c.id, c.reason])).toEqual([['retracted', ID, reason]])
      const plainTold = await page(`/p/${plain.key}/ru/changes?cursor=${plainSeen.next_cursor}`)
      expect(plainTold.changes.map((c) => [c.type, c.id, c.reason])).toEqual([['retracted', ID, reason]])
      expect(
        ((await (await app.request(`/ru/items/${ID}.ninjs.json`)).json()) as { pubStatus: string }).pubStatus,
      ).toBe('canceled')

      // Past the embargo time the pulled version is never released; a reader from before the story
      // meets the version it could have held, then the retraction.
      clock = until + 60_000
      expect((await page(`/ru/changes?cursor=${told.next_cursor}`)).changes).toEqual([])
      const late = await page(`/ru/changes?cursor=${start.next_cursor}`)
      expect(types(late).filter(([, id]) => id === ID)).toEqual([
        ['published', ID],
        ['retracted', ID],
      ])
    },
  )

  it('tells the public also when the version under embargo was corrected before the kill', async () => {
    const ID = 'cursor-seen-corrected'
    const start = await page('/ru/changes')
    await post({ upsert: [story(ID)] })
    const seen = await page(`/ru/changes?cursor=${start.next_cursor}`)
    expect(types(seen)).toEqual([['published', ID]])
    const until = clock + 120_000
    await postEmbargoedVersion(ID, until)
    clock += 5_000
    await postEmbargoedVersion(ID, until + 60_000) // a correction, still under embargo (postponed)
    clock += 5_000
    await post({ retract: [{ id: ID, reason: 'kill' }] })
    const told = await page(`/ru/changes?cursor=${seen.next_cursor}`)
    expect(told.changes.map((c) => [c.type, c.id, c.reason])).toEqual([['retracted', ID, 'kill']])
  })

  it('still hides a story whose every version was under embargo, corrected or not, from the public', async () => {
    const { early, plain } = await scoReaders()
    const ID = 'cursor-never-seen-corrected'
    const start = await page('/ru/changes')
    const until = clock + 120_000
    await post({ upsert: [story(ID, { embargoUntil: new Date(until).toISOString() })] })
    clock += 5_000
    await postEmbargoedVersion(ID, until)
    clock += 5_000
    await post({ retract: [{ id: ID, reason: 'kill' }] })
    for (const at of [clock, until + 60_000]) {
      clock = at
      for (const path of ['/ru/changes', `/p/${plain.key}/ru/changes`]) {
        const { changes } = await page(`${path}?cursor=${start.next_cursor}`)
        expect(
          changes.filter((c) => c.id === ID),
          path,
        ).toEqual([])
      }
      expect((await app.request(`/ru/items/${ID}.ninjs.json`)).status).toBe(404)
    }
    const entitled = await page(`/p/${early.key}/ru/changes?cursor=${start.next_cursor}`)
    expect(types(entitled).filter(([, id]) => id === ID)).toEqual([
      ['published', ID],
      ['updated', ID],
      ['retracted', ID],
    ])
  })
})
