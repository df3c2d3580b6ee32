import { XMLParser } from 'fast-xml-parser'
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith'
import { describe, expect, it } from 'vitest'
import {
  EXPECTED_LANGUAGE_TAG,
  EXPECTED_RSS_LANGUAGE,
  expectedAlternates,
  expectedFeedUrl,
  expectedItemId,
  expectedOrder,
  renderSampleFeeds,
  type SampleFeed,
} from './sample-feeds.ts'
import { loadStoredSamples } from '../support/samples.ts'

// Independent parsers read the rendered bytes back: fast-xml-parser and feedsmith for XML,
// JSON.parse and feedsmith for JSON Feed. Nothing here imports the renderers' own helpers.

const feeds = await renderSampleFeeds()
const byFormat = (format: SampleFeed['format']) =>
  feeds.filter((f) => f.format === format).map((f) => [f.fileName, f] as const)

/** A comparable item: what every format must carry for each source article. */
interface Seen {
  id: string
  title: string
  link: string
  published: number
  updated?: number
}

function expectedItems(feed: SampleFeed, withUpdated: boolean): Seen[] {
  return expectedOrder(feed).map((a) => ({
    id: expectedItemId(a),
    title: a.title,
    link: a.url,
    published: Date.parse(a.publishedAt),
    ...(withUpdated ? { updated: Date.parse(a.updatedAt ?? a.publishedAt) } : {}),
  }))
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- numeric character references need it; its successor (entityDecoder) would have us write the decoder
  htmlEntities: true,
  alwaysCreateTextNode: true,
  isArray: (name) =>
    ['item', 'entry', 'link', 'atom:link', 'category', 'author', 'dc:creator'].includes(name),
})

type Node = Record<string, unknown> & { '#text'?: string }
const text = (node: unknown): string => (node as Node | undefined)?.['#text'] ?? ''
const attr = (node: unknown, name: string): string | undefined =>
  (node as Node)[`@_${name}`] as string | undefined
const links = (nodes: unknown): Node[] => (nodes as Node[] | undefined) ?? []

function alternatesOf(nodes: Node[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const link of nodes) {
    const hreflang = attr(link, 'hreflang')
    if (attr(link, 'rel') === 'alternate' && hreflang) out[hreflang] = attr(link, 'href')!
  }
  return out
}

describe('RSS read back with fast-xml-parser', () => {
  it.each(byFormat('rss'))('%s has the channel facts and every item', (_, feed) => {
    const channel = (xml.parse(feed.text) as { rss: { '@_version': string; channel: Node } }).rss.channel
    expect(text(channel.language)).toBe(EXPECTED_RSS_LANGUAGE[feed.locale])
    const atomLinks = links(channel['atom:link'])
    expect(atomLinks.filter((l) => attr(l, 'rel') === 'self').map((l) => attr(l, 'href'))).toEqual([
      expectedFeedUrl(feed.locale, feed.feedId, 'rss'),
    ])
    expect(alternatesOf(atomLinks)).toEqual(expectedAlternates(feed))

    const items = (channel.item as Node[] | undefined) ?? []
    const seen: Seen[] = items.map((item) => ({
      id: text(item.guid),
      title: text(item.title),
      link: links(item.link).map(text).join(' '), // `link` is parsed as an array (Atom reuses the name)
      published: Date.parse(text(item.pubDate)),
      updated: item['dcterms:modified']
        ? Date.parse(text(item['dcterms:modified']))
        : Date.parse(text(item.pubDate)),
    }))
    expect(seen).toEqual(expectedItems(feed, true))
    for (const item of items) expect(attr(item.guid, 'isPermaLink')).toBe('false')
  })
})

describe('Atom read back with fast-xml-parser', () => {
  it.each(byFormat('atom'))('%s has the feed facts and every entry', (_, feed) => {
    const root = (xml.parse(feed.text) as { feed: Node }).feed
    expect(attr(root, 'xmlns')).toBe('http://www.w3.org/2005/Atom')
    expect(attr(root, 'xml:lang')).toBe(EXPECTED_LANGUAGE_TAG[feed.locale])
    const feedLinks = links(root.link)
    expect(feedLinks.filter((l) => attr(l, 'rel') === 'self').map((l) => attr(l, 'href'))).toEqual([
      expectedFeedUrl(feed.locale, feed.feedId, 'atom'),
    ])
    expect(alternatesOf(feedLinks)).toEqual(expectedAlternates(feed))

    const entries = (root.entry as Node[] | undefined) ?? []
    const seen: Seen[] = entries.map((entry) => ({
      id: text(entry.id),
      title: text(entry.title),
      // The entry's own page: the alternate without hreflang (the others are its translations).
      link: links(entry.link)
        .filter((l) => attr(l, 'rel') === 'alternate' && attr(l, 'hreflang') === undefined)
        .map((l) => attr(l, 'href'))
        .join(' '),
      published: Date.parse(text(entry.published)),
      updated: Date.parse(text(entry.updated)),
    }))
    expect(seen).toEqual(expectedItems(feed, true))
    const latest = Math.max(...feed.expected.map((a) => Date.parse(a.updatedAt ?? a.publishedAt)))
    expect(Date.parse(text(root.updated))).toBe(latest)
  })
})

interface JsonFeedDocument {
  version: string
  language: string
  feed_url: string
  _silkfeed: { alternates: { hreflang: string; feed_url: string }[] }
  items: { id: string; title: string; url: string; date_published: string; date_modified?: string }[]
}

describe('JSON Feed read back with JSON.parse', () => {
  it.each(byFormat('json'))('%s has the feed facts and every item', (_, feed) => {
    const doc = JSON.parse(feed.text) as JsonFeedDocument
    expect(doc.version).toBe('https://jsonfeed.org/version/1.1')
    expect(doc.language).toBe(EXPECTED_LANGUAGE_TAG[feed.locale])
    expect(doc.feed_url).toBe(expectedFeedUrl(feed.locale, feed.feedId, 'json'))
    expect(Object.fromEntries(doc._silkfeed.alternates.map((a) => [a.hreflang, a.feed_url]))).toEqual(
      expectedAlternates(feed),
    )
    const seen: Seen[] = doc.items.map((item) => ({
      id: item.id,
      title: item.title,
      link: item.url,
      published: Date.parse(item.date_published),
      updated: Date.parse(item.date_modified ?? item.date_published),
    }))
    expect(seen).toEqual(expectedItems(feed, true))
  })
})

describe('read back with feedsmith', () => {
  it.each(byFormat('rss'))('%s (parseRssFeed)', (_, feed) => {
    const parsed = parseRssFeed(feed.text)
    expect(parsed.language).toBe(EXPECTED_RSS_LANGUAGE[feed.locale])
    const self = parsed.atom?.links?.filter((l) => l.rel === 'self').map((l) => l.href)
    expect(self).toEqual([expectedFeedUrl(feed.locale, feed.feedId, 'rss')])
    const alternates = Object.fromEntries(
      (parsed.atom?.links ?? []).filter((l) => l.rel === 'alternate').map((l) => [l.hreflang, l.href]),
    )
    expect(alternates).toEqual(expectedAlternates(feed))
    const seen: Seen[] = (parsed.items ?? []).map((item) => ({
      id: item.guid?.value ?? '',
      title: item.title ?? '',
      link: item.link ?? '',
      published: Date.parse(item.pubDate ?? ''),
    }))
    expect(seen).toEqual(expectedItems(feed, false))
    expect(parsed.items?.every((item) => item.guid?.isPermaLink === false)).toBe(true)
  })

  it.each(byFormat('atom'))('%s (parseAtomFeed)', (_, feed) => {
    const parsed = parseAtomFeed(feed.text)
    expect(parsed.xml?.lang).toBe(EXPECTED_LANGUAGE_TAG[feed.locale])
    expect(parsed.links?.filter((l) => l.rel === 'self').map((l) => l.href)).toEqual([
      expectedFeedUrl(feed.locale, feed.feedId, 'atom'),
    ])
    const alternates = Object.fromEntries(
      (parsed.links ?? [])
        .filter((l) => l.rel === 'alternate' && l.hreflang)
        .map((l) => [l.hreflang, l.href]),
    )
    expect(alternates).toEqual(expectedAlternates(feed))
    const seen: Seen[] = (parsed.entries ?? []).map((entry) => ({
      id: entry.id ?? '',
      title: entry.title?.value ?? '',
      link: entry.links?.find((l) => l.rel === 'alternate')?.href ?? '',
      published: Date.parse(entry.published ?? ''),
      updated: Date.parse(entry.updated ?? ''),
    }))
    expect(seen).toEqual(expectedItems(feed, true))
  })

  it.each(byFormat('json'))('%s (parseJsonFeed)', (_, feed) => {
    const parsed = parseJsonFeed(JSON.parse(feed.text))
    expect(parsed.language).toBe(EXPECTED_LANGUAGE_TAG[feed.locale])
    expect(parsed.feed_url).toBe(expectedFeedUrl(feed.locale, feed.feedId, 'json'))
    const seen: Seen[] = (parsed.items ?? []).map((item) => ({
      id: item.id ?? '',
      title: item.title ?? '',
      link: item.url ?? '',
      published: Date.parse(item.date_published ?? ''),
      updated: Date.parse(item.date_modified ?? ''),
    }))
    expect(seen).toEqual(expectedItems(feed, true))
  })
})

describe('translation links and derived-script markers, read back', () => {
  const stored = loadStoredSamples()
  /** hreflang → url of the same story in every other locale of the feed, from the records. */
  function expectedTranslations(feed: SampleFeed, id: string): Record<string, string> {
    return Object.fromEntries(
      stored
        .filter((a) => a.id === id && a.locale !== feed.locale && feed.expected.some((e) => e.id === id))
        .map((a) => [EXPECTED_LANGUAGE_TAG[a.locale], a.url]),
    )
  }
  const storyId = (tagUri: string) => tagUri.split('/').at(-2)!
  // Derived records name the locale they came from; editors' records name none.
  const EXPECTED_DERIVED_FROM: Record<string, string | undefined> = {
    'uz-cyrl': 'uz-Latn',
    'kk-latn': 'kk',
    'zh-hant': 'zh-Hans',
  }

  it.each(byFormat('atom'))('%s: every entry links its translations by hreflang', (_, feed) => {
    const entries = ((xml.parse(feed.text) as Node).feed as Node).entry as Node[]
    expect(entries.length).toBeGreaterThan(0)
    for (const entry of entries) {
      const id = text(entry.id)
      const alternates = links(entry.link).filter((l) => attr(l, 'rel') === 'alternate')
      const translations = Object.fromEntries(
        alternates
          .filter(
            (l) =>
              attr(l, 'hreflang') !== undefined && attr(l, 'hreflang') !== EXPECTED_LANGUAGE_TAG[feed.locale],
          )
          .map((l) => [attr(l, 'hreflang'), attr(l, 'href')]),
      )
      expect(translations, id).toEqual(expectedTranslations(feed, storyId(id)))
      // First and last alternates are this locale's own page, whichever one a reader takes.
      const own = feed.expected.find((a) => a.id === storyId(id))!.url
      expect(attr(alternates[0], 'href')).toBe(own)
      expect(attr(alternates.at(-1), 'href')).toBe(own)
      const derived = ((entry.category as Node[] | undefined) ?? []).filter((c) =>
        attr(c, 'scheme')?.endsWith('/derived-from/'),
      )
      expect(derived.map((c) => attr(c, 'term'))).toEqual(
        EXPECTED_DERIVED_FROM[feed.locale] ? [EXPECTED_DERIVED_FROM[feed.locale]] : [],
      )
    }
  })

  it.each(byFormat('rss'))('%s: every item links its translations with atom:link', (_, feed) => {
    const items = (((xml.parse(feed.text) as Node).rss as Node).channel as Node).item as Node[]
    for (const item of items) {
      const id = text(item.guid)
      const translations = Object.fromEntries(
        links(item['atom:link']).map((l) => [attr(l, 'hreflang'), attr(l, 'href')]),
      )
      expect(translations, id).toEqual(expectedTranslations(feed, storyId(id)))
      expect(text((item.link as Node[])[0])).toBe(feed.expected.find((a) => a.id === storyId(id))!.url)
    }
  })

  it.each(byFormat('json'))('%s: every item lists its translations in _silkfeed', (_, feed) => {
    const doc = JSON.parse(feed.text) as {
      items: {
        id: string
        _silkfeed: { translations: { language: string; url: string }[]; derived_from?: string }
      }[]
    }
    for (const item of doc.items) {
      const translations = Object.fromEntries(item._silkfeed.translations.map((t) => [t.language, t.url]))
      expect(translations, item.id).toEqual(expectedTranslations(feed, storyId(item.id)))
      expect(item._silkfeed.derived_from).toBe(EXPECTED_DERIVED_FROM[feed.locale])
    }
  })
})

describe('the body, as each public feed offers it, read back', () => {
  // Written out from feeds/*.json: latest and sco give the public full text, summaries an excerpt.
  const PUBLIC_LEVEL: Record<string, 'full' | 'excerpt'> = {
    latest: 'full',
    sco: 'full',
    summaries: 'excerpt',
  }
  const level = (feed: SampleFeed) => PUBLIC_LEVEL[feed.feedId]

  it('covers every public feed of the catalogue', () => {
    expect(new Set(feeds.map((f) => f.feedId))).toEqual(new Set(Object.keys(PUBLIC_LEVEL)))
  })

  it.each(byFormat('rss'))('%s: content:encoded only in full text, a description always', (_, feed) => {
    const items = (((xml.parse(feed.text) as Node).rss as Node).channel as Node).item as Node[]
    expect(items.length).toBe(feed.expected.length)
    for (const item of items) {
      expect('content:encoded' in item, text(item.guid)).toBe(level(feed) === 'full')
      expect(text(item.description).length).toBeGreaterThan(0)
    }
  })

  it.each(byFormat('atom'))('%s: content only in full text, a summary always', (_, feed) => {
    const entries = ((xml.parse(feed.text) as Node).feed as Node).entry as Node[]
    expect(entries.length).toBe(feed.expected.length)
    for (const entry of entries) {
      expect('content' in entry, text(entry.id)).toBe(level(feed) === 'full')
      expect(text(entry.summary).length).toBeGreaterThan(0)
    }
  })

  it.each(byFormat('json'))(
    '%s: content_html only in full text, else the summary as content_text',
    (_, feed) => {
      const doc = JSON.parse(feed.text) as {
        items: { id: string; content_html?: string; content_text?: string; summary?: string }[]
      }
      expect(doc.items.length).toBe(feed.expected.length)
      for (const item of doc.items) {
        expect('content_html' in item, item.id).toBe(level(feed) === 'full')
        if (level(feed) === 'excerpt') expect(item.content_text, item.id).toBe(item.summary)
      }
    },
  )
})
