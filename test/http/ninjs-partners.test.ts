import { beforeEach, describe, expect, it } from 'vitest'
import { parseFeedCatalog } from '../../src/domain/feed-definition.ts'
import { ADMIN_SECRET, createPartner } from '../support/admin.ts'
import { sampleApp } from '../support/app.ts'
import type { ChangesPage } from '../support/changes.ts'
import { feedDefinition } from '../support/feed-definitions.ts'
import { expectValidNinjs } from '../support/ninjs-schema.ts'
import { TEST_SETTINGS } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

interface Item {
  uri: string
  representationType?: string
  pubStatus: string
  bodies?: unknown[]
  embargoedUntil?: string
}

const feed = feedDefinition

/** The `sco` stories in a public full feed, the `education` story only in the partners-only `desk`. */
const CATALOG = parseFeedCatalog({
  'world.json': feed('world', ['sco'], 'full'),
  'desk.json': feed('desk', ['education'], 'none'),
})
const EDUCATION = 'qingdao-sco-institute'
const BASE = TEST_SETTINGS.publicBaseUrl

let clock: number
let app: Awaited<ReturnType<typeof sampleApp>>['app']

beforeEach(async () => {
  clock = Date.now()
  ;({ app } = await sampleApp({ now: () => clock, catalog: CATALOG, adminSecrets: [ADMIN_SECRET] }))
})

async function ok(path: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, { headers })
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200)
  return res
}

const itemOf = async (path: string, headers: Record<string, string> = {}) =>
  (await (await ok(path, headers)).json()) as Item

describe('ninjs as a partner reads it', () => {
  it('gives a partner entitled to a partners-only feed the full item the public gets 404 for', async () => {
    const { key } = await createPartner(app, { name: 'Desk', feeds: ['desk'], fullText: true })
    expect((await app.request(`/ru/items/${EDUCATION}.ninjs.json`)).status).toBe(404)
    const res = await ok(`/p/${key}/ru/items/${EDUCATION}.ninjs.json`)
    expect(res.headers.get('cache-control')).toMatch(/^private/)
    expect(res.headers.get('vary')).toContain('Authorization')
    expect(res.headers.get('ratelimit-policy')).toBe('"per-minute";q=600;w=60')
    expect(res.headers.get('ratelimit')).toMatch(/^"per-minute";r=\d+;t=\d+$/)
    const item = (await res.json()) as Item
    expectValidNinjs(item, 'keyed full item')
    expect(item.representationType).toBe('full')
    expect(item.bodies).toHaveLength(2)
    // The same view by header on the public URL; the public's answer there stays a 404.
    const bearer = await itemOf(`/ru/items/${EDUCATION}.ninjs.json`, { authorization: `Bearer ${key}` })
    expect(bearer).toEqual(item)
    // HEAD and OPTIONS as on the other keyed routes.
    const head = await app.request(`/p/${key}/ru/items/${EDUCATION}.ninjs.json`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    const options = await app.request(`/p/${key}/ru/items/${EDUCATION}.ninjs.json`, { method: 'OPTIONS' })
    expect([options.status, options.headers.get('allow')]).toEqual([204, 'GET, HEAD, OPTIONS'])
  })

  it('gives a partner with the excerpt a partial item, and one without the feed the 404 of an unknown id', async () => {
    const excerpt = await createPartner(app, { name: 'Excerpt', feeds: ['desk'] })
    const item = await itemOf(`/p/${excerpt.key}/zh/items/${EDUCATION}.ninjs.json`)
    expectValidNinjs(item, 'keyed partial item')
    expect(item.representationType).toBe('partial')
    expect(item).not.toHaveProperty('bodies')
    const other = await createPartner(app, { name: 'World', feeds: ['world'], fullText: true })
    const res = await app.request(`/p/${other.key}/ru/items/${EDUCATION}.ninjs.json`)
    expect(res.status).toBe(404)
    expect(((await res.json()) as { code: string }).code).toBe('ITEM_NOT_FOUND')
    // What it may read it reads in full.
    expect((await itemOf(`/p/${other.key}/ru/items/sco-roadshow-overview.ninjs.json`)).bodies).toHaveLength(2)
  })

  it('lists a partners-only feed at the partner’s level', async () => {
    const full = await createPartner(app, { name: 'Full', feeds: ['desk'], fullText: true })
    const excerpt = await createPartner(app, { name: 'Excerpt', feeds: ['desk'] })
    expect((await app.request('/ru/desk.ninjs.json')).status).toBe(404)
    for (const [key, level] of [
      [full.key, 'full'],
      [excerpt.key, 'partial'],
    ] as const) {
      const res = await ok(`/p/${key}/ru/desk.ninjs.json`)
      expect(res.headers.get('cache-control')).toMatch(/^private/)
      const { items } = (await res.json()) as { items: Item[] }
      expect(items.map((i) => i.uri)).toEqual([`tag:silkfeed.dev,2026:article/${EDUCATION}/ru`])
      for (const item of items) expectValidNinjs(item, `desk as ${level}`)
      expect(items.map((i) => i.representationType)).toEqual([level])
    }
  })

  it('refuses a bad key (401) and a feed or locale outside the agreement (403), as the keyed feeds do', async () => {
    const { key } = await createPartner(app, { name: 'Desk', feeds: ['desk'], locales: ['ru'] })
    for (const path of [`/ru/items/${EDUCATION}.ninjs.json`, '/ru/desk.ninjs.json']) {
      const res = await app.request(`/p/sf_${'x'.repeat(43)}${path}`)
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="silkfeed"')
    }
    const foreign = await app.request(`/p/${key}/ru/world.ninjs.json`)
    expect([foreign.status, ((await foreign.json()) as { code: string }).code]).toEqual([
      403,
      'PARTNER_FORBIDDEN',
    ])
    expect((await app.request(`/p/${key}/zh/items/${EDUCATION}.ninjs.json`)).status).toBe(403)
    expect((await app.request(`/p/${key}/zh/desk.ninjs.json`)).status).toBe(403)
  })

  it('shows a version under embargo only to a partner entitled to embargoed stories, with embargoedUntil', async () => {
    const embargoed = await createPartner(app, {
      name: 'Early',
      feeds: ['desk'],
      fullText: true,
      embargoed: true,
    })
    const plain = await createPartner(app, { name: 'Plain', feeds: ['desk'], fullText: true })
    const until = new Date(clock + 120_000).toISOString()
    const story = {
      id: 'desk-embargoed',
      locale: 'ru',
      title: 'Новость под эмбарго',
      url: 'https://news.silkfeed.dev/ru/2026/12/05/desk-embargoed',
      publishedAt: new Date(clock - 60_000).toISOString(),
      sections: ['education'],
      contentHtml: '<p>Текст.</p>',
      embargoUntil: until,
    }
    expect((await postRepublish(app, { upsert: [story] }, { t: clock / 1000 })).status).toBe(200)
    const item = await itemOf(`/p/${embargoed.key}/ru/items/desk-embargoed.ninjs.json`)
    expectValidNinjs(item, 'embargoed item')
    expect(item.embargoedUntil).toBe(until)
    expect((await app.request(`/p/${plain.key}/ru/items/desk-embargoed.ninjs.json`)).status).toBe(404)
    const { items } = (await (await ok(`/p/${embargoed.key}/ru/desk.ninjs.json`)).json()) as { items: Item[] }
    expect(items.find((i) => i.uri.includes('desk-embargoed'))?.embargoedUntil).toBe(until)
    const plainList = (await (await ok(`/p/${plain.key}/ru/desk.ninjs.json`)).json()) as { items: Item[] }
    expect(plainList.items.some((i) => i.uri.includes('desk-embargoed'))).toBe(false)
    // Once released, the plain partner reads it, unmarked.
    clock += 121_000
    const released = await itemOf(`/p/${plain.key}/ru/items/desk-embargoed.ninjs.json`)
    expect(released).not.toHaveProperty('embargoedUntil')
  })

  it('links the keyed cursor’s changes to the partner’s keyed items, which answer', async () => {
    const { key } = await createPartner(app, { name: 'Desk', feeds: ['desk'], fullText: true })
    const start = (await (await ok(`/p/${key}/ru/changes`)).json()) as ChangesPage
    const story = {
      id: 'desk-new',
      locale: 'ru',
      title: 'Новость для партнёров',
      url: 'https://news.silkfeed.dev/ru/2026/12/05/desk-new',
      publishedAt: new Date(clock - 60_000).toISOString(),
      sections: ['education'],
      contentHtml: '<p>Текст.</p>',
    }
    expect((await postRepublish(app, { upsert: [story] }, { t: clock / 1000 })).status).toBe(200)
    const cursor = encodeURIComponent(start.next_cursor)
    const { changes } = (await (await ok(`/p/${key}/ru/changes?cursor=${cursor}`)).json()) as ChangesPage
    expect(changes.map((c) => c.item)).toEqual([`${BASE}/p/${key}/ru/items/desk-new.ninjs.json`])
    const item = await itemOf(changes[0]!.item!.slice(BASE.length))
    expectValidNinjs(item, 'linked item')
    expect(item.representationType).toBe('full')
    // The public cursor never names the story; a bearer cursor keeps public links, no key in them.
    const bearer = (await (
      await ok(`/ru/changes?cursor=${cursor}`, { authorization: `Bearer ${key}` })
    ).json()) as ChangesPage
    expect(bearer.changes.map((c) => c.item)).toEqual([`${BASE}/ru/items/desk-new.ninjs.json`])
  })
})
