import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { parseFeedCatalog, type FeedCatalog } from '../../src/domain/feed-definition.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { ADMIN_SECRET, createPartner } from '../support/admin.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

// Kills reach partners on their feeds (Atom at:deleted-entry, JSON Feed _silkfeed.deleted) for the
// tombstone window: also of a story no longer in the current window, and of a story killed while
// still under embargo, which only partners entitled to embargoed stories ever saw: the public, and
// partners without that entitlement, never learn that it existed. A story the public saw is a
// tombstone for everyone, also when it is pulled while a newer version is under embargo.

// Now (admin requests are signed with the wall clock), to the second.
const T0 = Math.floor(Date.now() / 1000) * 1000
const EMBARGO = new Date(T0 + 3 * 3_600_000).toISOString().replace('.000Z', 'Z') // three hours after T0
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' })

async function killApp(catalog?: FeedCatalog) {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  const clock = { now: T0 }
  const app = appOver(store, { now: () => clock.now }, undefined, {}, catalog, {
    adminSecrets: [ADMIN_SECRET],
  })
  const post = async (payload: unknown) => {
    const res = await postRepublish(app, payload, { t: clock.now / 1000 })
    expect(res.status).toBe(200)
  }
  return { app, clock, post }
}

const story = (id: string, overrides: Partial<Article> = {}): Article => ({
  id,
  locale: 'ru',
  title: `Материал ${id}`,
  summary: 'Краткое содержание.',
  contentHtml: '<p>Полный текст.</p>',
  url: `https://news.example.com/ru/${id}`,
  publishedAt: new Date(T0 - 3_600_000).toISOString(),
  sections: ['sco'],
  ...overrides,
})
const tag = (id: string) => `tag:silkfeed.dev,2026:article/${id}/ru`

type App = Awaited<ReturnType<typeof killApp>>['app']

/** What a feed says of a story, in JSON Feed and Atom: an item, a tombstone (with its reason), or nothing. */
async function seen(app: App, base: string, feed: string, id: string) {
  const json = (await (await app.request(`${base}/ru/${feed}.json`)).json()) as {
    items: { id: string }[]
    _silkfeed: { deleted?: { id: string; reason: string }[] }
  }
  const atom = xml.parse(await (await app.request(`${base}/ru/${feed}.atom`)).text()) as {
    feed: { 'at:deleted-entry'?: { ref: string } | { ref: string }[] }
  }
  const atomDeleted = [atom.feed['at:deleted-entry'] ?? []].flat().map((d) => d.ref)
  return {
    item: json.items.some((i) => i.id === tag(id)),
    deleted: (json._silkfeed.deleted ?? []).filter((d) => d.id === tag(id)).map((d) => d.reason),
    atomDeleted: atomDeleted.includes(tag(id)),
  }
}

describe('a story killed while still under embargo', () => {
  it('is announced to partners who saw it, for the tombstone window; the public never learns of it', async () => {
    const { app, clock, post } = await killApp()
    const early = await createPartner(app, { name: 'Early', feeds: ['sco'], fullText: true, embargoed: true })
    const plain = await createPartner(app, { name: 'Plain', feeds: ['sco'], fullText: true })
    await post({ upsert: [story('sco-secret', { embargoUntil: EMBARGO })] })
    expect(await seen(app, `/p/${early.key}`, 'sco', 'sco-secret')).toEqual({
      item: true,
      deleted: [],
      atomDeleted: false,
    })

    clock.now += 60_000
    await post({ retract: [{ id: 'sco-secret', locale: 'ru', reason: 'kill' }] })
    const nothing = { item: false, deleted: [], atomDeleted: false }
    for (const at of [clock.now, Date.parse(EMBARGO) + 60_000]) {
      clock.now = at // before the embargo's end, and after it: the story was never released
      expect(await seen(app, `/p/${early.key}`, 'sco', 'sco-secret')).toEqual({
        item: false,
        deleted: ['kill'],
        atomDeleted: true,
      })
      expect(await seen(app, '', 'sco', 'sco-secret')).toEqual(nothing)
      expect(await seen(app, `/p/${plain.key}`, 'sco', 'sco-secret')).toEqual(nothing)
      expect(await (await app.request('/?lang=ru')).text()).not.toContain('sco-secret')
    }
  })

  it('is announced to everyone once it was released: the public saw it too', async () => {
    const { app, clock, post } = await killApp()
    await post({ upsert: [story('sco-released', { embargoUntil: EMBARGO })] })
    clock.now = Date.parse(EMBARGO) + 60_000
    expect((await seen(app, '', 'sco', 'sco-released')).item).toBe(true)
    await post({ retract: [{ id: 'sco-released', locale: 'ru', reason: 'kill' }] })
    expect(await seen(app, '', 'sco', 'sco-released')).toEqual({
      item: false,
      deleted: ['kill'],
      atomDeleted: true,
    })
  })
})

describe('a story the public saw, pulled while a newer version is under embargo', () => {
  it.each(['kill', 'withdrawn', 'correction-pending'] as const)(
    'leaves a tombstone (%s) in the public feeds and every partner’s, then and after the embargo time',
    async (reason) => {
      const { app, clock, post } = await killApp()
      const early = await createPartner(app, {
        name: 'Early',
        feeds: ['sco'],
        fullText: true,
        embargoed: true,
      })
      const plain = await createPartner(app, { name: 'Plain', feeds: ['sco'], fullText: true })
      const ID = `sco-seen-${reason}`
      await post({ upsert: [story(ID)] })
      expect((await seen(app, '', 'sco', ID)).item).toBe(true)
      // A newer version under embargo: the public feeds no longer show the story, readers hold the first.
      clock.now += 60_000
      const corrected = { updatedAt: new Date(clock.now).toISOString(), embargoUntil: EMBARGO }
      await post({ upsert: [story(ID, corrected)] })
      expect((await seen(app, '', 'sco', ID)).item).toBe(false)

      clock.now += 60_000
      await post({ retract: [{ id: ID, locale: 'ru', reason }] })
      const tombstone = { item: false, deleted: [reason], atomDeleted: true }
      for (const at of [clock.now, Date.parse(EMBARGO) + 60_000]) {
        clock.now = at
        for (const base of ['', `/p/${plain.key}`, `/p/${early.key}`])
          expect(await seen(app, base, 'sco', ID), base || 'public').toEqual(tombstone)
      }
    },
  )

  it('is still never named in the public feeds when every version was under embargo', async () => {
    const { app, clock, post } = await killApp()
    const early = await createPartner(app, { name: 'Early', feeds: ['sco'], fullText: true, embargoed: true })
    const ID = 'sco-never-seen-corrected'
    await post({ upsert: [story(ID, { embargoUntil: EMBARGO })] })
    clock.now += 60_000
    await post({
      upsert: [story(ID, { updatedAt: new Date(clock.now).toISOString(), embargoUntil: EMBARGO })],
    })
    clock.now += 60_000
    await post({ retract: [{ id: ID, locale: 'ru', reason: 'kill' }] })
    for (const at of [clock.now, Date.parse(EMBARGO) + 60_000]) {
      clock.now = at
      expect(await seen(app, '', 'sco', ID)).toEqual({ item: false, deleted: [], atomDeleted: false })
      expect(await seen(app, `/p/${early.key}`, 'sco', ID)).toEqual({
        item: false,
        deleted: ['kill'],
        atomDeleted: true,
      })
    }
  })
})

describe('a kill of a story outside the current feed window', () => {
  const catalog = parseFeedCatalog({
    'feeds/short.json': {
      id: 'short',
      sections: ['sco'],
      locales: ['ru'],
      limit: 1,
      cache: { maxAge: 300, staleWhileRevalidate: 600, staleIfError: 86400 },
    },
  })

  it('reaches a partner who never saw the story in the current window', async () => {
    const { app, clock, post } = await killApp(catalog)
    // The oldest story is published first, then pushed out by newer ones before the partner exists.
    const stories = ['sco-k1', 'sco-k2', 'sco-k3', 'sco-k4', 'sco-k5'].map((id, i) =>
      story(id, { publishedAt: new Date(T0 - (6 - i) * 3_600_000).toISOString() }),
    )
    await post({ upsert: stories })
    const partner = await createPartner(app, { name: 'Late', feeds: ['short'], fullText: true })
    expect(await seen(app, `/p/${partner.key}`, 'short', 'sco-k1')).toEqual({
      item: false,
      deleted: [],
      atomDeleted: false,
    })
    clock.now += 60_000
    await post({ retract: [{ id: 'sco-k1', reason: 'kill' }] })
    expect(await seen(app, `/p/${partner.key}`, 'short', 'sco-k1')).toEqual({
      item: false,
      deleted: ['kill'],
      atomDeleted: true,
    })
  })
})
