import { XMLParser } from 'fast-xml-parser'
import { beforeEach, describe, expect, it } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { ADMIN_SECRET, createPartner } from '../support/admin.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'

// What a keyed feed says of its own URL. Its bytes are shared by every partner of its audience (made
// once per change, never per partner), so they cannot name a keyed URL. The public rendering names
// the public URL, which serves the same document; any other rendering names no feed URL at all (no
// self, hub or other-locale feed links): the public URL would serve another document, or none.

const HUB = 'https://hub.example.net/'
const BASE = 'https://feeds.silkfeed.test'
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' })

type Link = { rel?: string; href: string; hreflang?: string }
const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

/** The feed-level links of an Atom document and of an RSS channel's atom:link elements. */
function feedLinks(body: string, format: 'atom' | 'rss'): Link[] {
  const doc = xml.parse(body) as {
    feed?: { link?: Link | Link[] }
    rss?: { channel: { 'atom:link'?: Link | Link[] } }
  }
  return format === 'atom' ? asArray(doc.feed?.link) : asArray(doc.rss?.channel['atom:link'])
}

let app: ReturnType<typeof appOver>

beforeEach(async () => {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  app = appOver(store, {}, undefined, { hubs: [HUB] }, undefined, { adminSecrets: [ADMIN_SECRET] })
})

describe('links of a keyed feed', () => {
  it.each([
    ['full text of a public full-text feed', { feeds: ['latest'], fullText: true }, 'latest'],
    ['the excerpt of a public excerpt feed', { feeds: ['summaries'] }, 'summaries'],
  ])(
    'are the public ones when the partner reads the public rendering (%s): the same bytes as the public URL',
    async (_, entitlements, feed) => {
      const { key } = await createPartner(app, { name: 'Public', ...entitlements })
      const open = await app.request(`/ru/${feed}.atom`)
      const keyed = await app.request(`/p/${key}/ru/${feed}.atom`)
      expect(keyed.headers.get('etag')).toBe(open.headers.get('etag'))
      const body = await keyed.text()
      expect(body).toBe(await open.text())
      const links = feedLinks(body, 'atom')
      expect(links.find((l) => l.rel === 'self')?.href).toBe(`${BASE}/ru/${feed}.atom`)
      expect(links.find((l) => l.rel === 'hub')?.href).toBe(HUB)
      expect(body).not.toContain(key)
    },
  )

  it.each([
    ['an excerpt of a public full-text feed', { feeds: ['latest'] }, 'latest'],
    ['a partners-only feed', { feeds: ['wire'], fullText: true }, 'wire'],
    ['the full text of a public excerpt feed', { feeds: ['summaries'], fullText: true }, 'summaries'],
    ['embargoed stories of a public feed', { feeds: ['sco'], fullText: true, embargoed: true }, 'sco'],
  ])('name no feed URL in %s (no self, hub or other-locale feed)', async (_, entitlements, feed) => {
    const { key } = await createPartner(app, { name: 'Partner', ...entitlements })
    for (const format of ['atom', 'rss'] as const) {
      const res = await app.request(`/p/${key}/ru/${feed}.${format}`)
      expect(res.status).toBe(200)
      const body = await res.text()
      const links = feedLinks(body, format)
      expect(links.filter((l) => l.rel === 'self' || l.rel === 'hub' || l.hreflang !== undefined)).toEqual([])
      expect(body).not.toContain(key)
    }
    const json = (await (await app.request(`/p/${key}/ru/${feed}.json`)).json()) as Record<
      string,
      unknown
    > & {
      _silkfeed: { alternates?: unknown[] }
      items: unknown[]
    }
    expect(json.items.length).toBeGreaterThan(0)
    expect(json.feed_url).toBeUndefined()
    expect(json.hubs).toBeUndefined()
    expect(json._silkfeed.alternates ?? []).toEqual([])
  })
})
