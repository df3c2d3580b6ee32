import { XMLParser } from 'fast-xml-parser'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { parseFeedCatalog } from '../../src/domain/feed-definition.ts'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { appOver } from '../support/app.ts'
import { serveOnNode, type ServedApp } from '../support/node-server.ts'
import { startSeededS3, storeFor } from '../support/s3.ts'
import { postRepublish } from '../support/webhook.ts'

// A feed of its own section, so only the stories published here are in it: 50 in the window.
const catalog = parseFeedCatalog({
  'feeds/desk.json': {
    id: 'desk',
    sections: ['desk'],
    locales: ['ru', 'uz', 'uz-cyrl'],
    limit: 50,
    cache: { maxAge: 60, staleWhileRevalidate: 60, staleIfError: 600 },
  },
})

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['link', 'entry', 'at:deleted-entry'].includes(name),
})
const STORIES = 130
let s3: EmbeddedS3
let server: ServedApp
let base: string
let directory: string

/** Story n of 130, two a day from 2026-08-20 (UTC): August to October. */
function story(n: number, locale: 'ru' | 'uz', extra: Partial<Article> = {}): Article {
  return {
    id: `desk-${n}`,
    locale,
    title: `${locale === 'ru' ? 'Новость' : 'Yangilik'} ${n}`,
    url: `https://news.silkfeed.dev/${locale}/desk-${n}`,
    publishedAt: new Date(Date.parse('2026-08-20T00:00:00Z') + n * 12 * 3_600_000).toISOString(),
    sections: ['desk'],
    ...extra,
  }
}

const id = (n: number, locale = 'ru') => `tag:silkfeed.dev,2026:article/desk-${n}/${locale}`
const app = () => ({ request: (path: string, init?: RequestInit) => fetch(`${base}${path}`, init) })

interface Page {
  entries: Map<string, string>
  deleted: string[]
  prev?: string
  fhArchive: boolean
  etag: string | null
}

async function atomPage(url: string): Promise<Page> {
  const res = await fetch(url)
  expect(res.status, url).toBe(200)
  const feed = xml.parse(await res.text()).feed as {
    link: { rel: string; href: string }[]
    entry?: { id: string; title: { '#text': string } }[]
    'at:deleted-entry'?: { ref: string }[]
    'fh:archive'?: unknown
  }
  return {
    entries: new Map((feed.entry ?? []).map((e) => [e.id, e.title['#text']])),
    deleted: (feed['at:deleted-entry'] ?? []).map((d) => d.ref),
    prev: feed.link.find((l) => l.rel === 'prev-archive')?.href,
    fhArchive: 'fh:archive' in feed,
    etag: res.headers.get('etag'),
  }
}

/** The current feed, then every archive by prev-archive, as a subscriber starting from nothing. */
async function walk(locale: string, at = base): Promise<{ current: Page; archives: Map<string, Page> }> {
  const current = await atomPage(`${at}/${locale}/desk.atom`)
  const archives = new Map<string, Page>()
  for (let url = current.prev; url !== undefined;) {
    const page = await atomPage(url.replace('https://feeds.silkfeed.test', at))
    expect(page.fhArchive, url).toBe(true)
    archives.set(url.slice(-'YYYY-MM.atom'.length, -'.atom'.length), page)
    url = page.prev
  }
  return { current, archives }
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-archives-'))
  ;({ embedded: s3 } = await startSeededS3(directory, 'silkfeed-archives'))
  const store = storeFor(s3.endpoint, 'silkfeed-archives', 5000)
  const served = appOver(store, { freshMs: 0 }, undefined, {}, catalog)
  // The Node entry's server: archives in hand are answered by its hot front, the rest by the app.
  server = await serveOnNode(served)
  base = `http://127.0.0.1:${server.port}`
  for (let from = 0; from < STORIES; from += 45) {
    const batch = Array.from({ length: Math.min(45, STORIES - from) }, (_, i) => from + i)
    const upsert = batch.flatMap((n) => [story(n, 'ru'), story(n, 'uz')])
    expect((await postRepublish(app(), { upsert })).status).toBe(200)
  }
}, 120_000)

afterAll(async () => {
  await server.close()
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

describe('archives against s3rver over HTTP', () => {
  it('a subscriber following prev-archive from the current feed holds every story once, at its newest version, and no retracted one', async () => {
    // Corrections of an archived story and of one in the window; a retraction of an archived one.
    const corrected = story(3, 'ru', { title: 'Исправленная новость 3', updatedAt: '2026-12-01T00:00:00Z' })
    const recent = story(120, 'ru', { title: 'Исправленная новость 120', updatedAt: '2026-12-01T00:00:00Z' })
    expect((await postRepublish(app(), { upsert: [corrected, recent] })).status).toBe(200)
    expect((await postRepublish(app(), { retract: [{ id: 'desk-7', locale: 'ru' }] })).status).toBe(200)

    const { current, archives } = await walk('ru')
    expect(current.entries.size).toBe(50)
    expect([...archives.keys()]).toEqual(['2026-09', '2026-08'])
    const seen = [...current.entries.keys(), ...[...archives.values()].flatMap((p) => [...p.entries.keys()])]
    const live = Array.from({ length: STORIES }, (_, n) => n).filter((n) => n !== 7)
    expect(seen.sort()).toEqual(live.map((n) => id(n)).sort())
    const titles = new Map([current, ...archives.values()].flatMap((p) => [...p.entries]))
    expect(titles.get(id(3))).toBe('Исправленная новость 3')
    expect(titles.get(id(120))).toBe('Исправленная новость 120')
    expect(titles.get(id(4))).toBe('Новость 4')
    // Story 7 was published 2026-08-23: a tombstone in August's Atom archive, and in no other.
    expect(archives.get('2026-08')!.deleted).toEqual([id(7)])
    expect(archives.get('2026-09')!.deleted).toEqual([])

    // JSON Feed readers page the same stories by next_url.
    const jsonIds: string[] = []
    for (let url: string | undefined = `${base}/ru/desk.json`; url !== undefined;) {
      const page = (await (await fetch(url.replace('https://feeds.silkfeed.test', base))).json()) as {
        items: { id: string }[]
        next_url?: string
      }
      jsonIds.push(...page.items.map((i) => i.id))
      url = page.next_url
    }
    expect(jsonIds.sort()).toEqual(live.map((n) => id(n)).sort())
  })

  it('a derived script variant has its archives too', async () => {
    const { current, archives } = await walk('uz-cyrl')
    const seen = [...current.entries.keys(), ...[...archives.values()].flatMap((p) => [...p.entries.keys()])]
    expect(new Set(seen).size).toBe(STORIES)
    expect(seen.length).toBe(STORIES)
  })

  it('a correction of an archived story changes only its month: the other months keep their ETags', async () => {
    const before = (await walk('uz')).archives
    const update = story(60, 'uz', { title: 'Tuzatilgan yangilik 60', updatedAt: '2026-12-02T00:00:00Z' })
    expect((await postRepublish(app(), { upsert: [update] })).status).toBe(200)
    const after = (await walk('uz')).archives
    // Story 60 was published 2026-09-19.
    expect(after.get('2026-09')!.etag).not.toBe(before.get('2026-09')!.etag)
    expect(after.get('2026-09')!.entries.get(id(60, 'uz'))).toBe('Tuzatilgan yangilik 60')
    expect(after.get('2026-08')!.etag).toBe(before.get('2026-08')!.etag)
    const revalidated = await fetch(`${base}/uz/desk/archive/2026-08.atom`, {
      headers: { 'if-none-match': before.get('2026-08')!.etag! },
    })
    expect(revalidated.status).toBe(304)
  })
  it('another process on the same bucket follows these webhooks in the change log', async () => {
    const reader = appOver(
      storeFor(s3.endpoint, 'silkfeed-archives', 5000),
      { freshMs: 0 },
      undefined,
      {},
      catalog,
    )
    const other = await serveOnNode(reader)
    const at = `http://127.0.0.1:${other.port}`
    try {
      // Laid out from a listing; then this process's webhooks: a newest story pushes the window's
      // oldest into September, an archived story is corrected, another retracted.
      const before = await walk('uz-cyrl', at)
      const corrected = story(30, 'uz', {
        title: 'Tuzatilgan yangilik 30',
        updatedAt: '2026-12-03T00:00:00Z',
      })
      expect((await postRepublish(app(), { upsert: [story(STORIES, 'uz'), corrected] })).status).toBe(200)
      expect((await postRepublish(app(), { retract: [{ id: 'desk-40', locale: 'uz' }] })).status).toBe(200)
      const after = await walk('uz-cyrl', at)
      const pages = [after.current, ...after.archives.values()]
      const seen = pages.flatMap((p) => [...p.entries.keys()])
      const live = Array.from({ length: STORIES + 1 }, (_, n) => n).filter((n) => n !== 40)
      expect(seen.sort()).toEqual(live.map((n) => id(n, 'uz-cyrl')).sort())
      expect(after.current.entries.has(id(STORIES, 'uz-cyrl'))).toBe(true)
      // Story 80 (2026-09-29) left the window; story 40 (2026-09-09) is September's tombstone.
      expect(after.archives.get('2026-09')!.entries.has(id(80, 'uz-cyrl'))).toBe(true)
      expect(after.archives.get('2026-09')!.deleted).toEqual([id(40, 'uz-cyrl')])
      const title = (page: { archives: Map<string, Page> }) =>
        page.archives.get('2026-09')!.entries.get(id(30, 'uz-cyrl'))
      expect(title(after)).not.toBe(title(before))
      expect(after.archives.get('2026-08')!.etag).toBe(before.archives.get('2026-08')!.etag)
    } finally {
      await other.close()
    }
  })
})
