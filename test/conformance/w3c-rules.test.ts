import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { readRfc822 } from './rfc822.ts'
import { EXPECTED_RSS_LANGUAGE, expectedFeedUrl, renderSampleFeeds, type SampleFeed } from './sample-feeds.ts'

// The W3C Feed Validator (rubys/feedvalidator) cannot be installed here. These are its rules that a
// hand-written renderer can plausibly break, checked on every sample RSS and Atom feed.

const feeds = await renderSampleFeeds()
const rssFeeds = feeds.filter((f) => f.format === 'rss').map((f) => [f.fileName, f] as const)
const atomFeeds = feeds.filter((f) => f.format === 'atom').map((f) => [f.fileName, f] as const)

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- numeric character references need it; its successor (entityDecoder) would have us write the decoder
  htmlEntities: true,
  alwaysCreateTextNode: true,
  // Every element as an array, so duplicates (which the validator rejects) are visible.
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
})

type Element = Record<string, unknown>
const all = (parent: Element, name: string) => (parent[name] as Element[] | undefined) ?? []
const one = (parent: Element, name: string) => {
  const found = all(parent, name)
  expect(found.length, `exactly one <${name}>`).toBe(1)
  return found[0]!
}
const text = (element: Element | undefined) => (element?.['#text'] as string | undefined) ?? ''
const attr = (element: Element, name: string) => element[`@_${name}`] as string | undefined

/** Fails the test with the validator's reason when a date is not an acceptable RFC 822 date. */
function checkRfc822(value: string): void {
  const read = readRfc822(value)
  expect('problem' in read ? read.problem : 'ok').toBe('ok')
}

const W3CDTF = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/
const HTTP_URL = /^https?:\/\/[^\s<>"]+$/
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+( \(.+\))?$/
const MIME = /^[a-z]+\/[a-z0-9.+-]+$/
// ISO 639 codes of our locales; the validator checks only the primary subtag against ISO 639.
const ISO_639 = new Set(['zh', 'ru', 'kk', 'uz'])

function channelOf(feed: SampleFeed): Element {
  const rss = one(parser.parse(feed.text) as Element, 'rss')
  expect(attr(rss, 'version')).toBe('2.0')
  return one(rss, 'channel')
}

describe('W3C validator rules for RSS', () => {
  it.each(rssFeeds)('%s: channel has one non-empty title, link and description', (_, feed) => {
    const channel = channelOf(feed)
    for (const name of ['title', 'link', 'description']) expect(text(one(channel, name)).trim()).not.toBe('')
    expect(text(one(channel, 'link'))).toMatch(HTTP_URL)
    expect(Number(text(one(channel, 'ttl')))).toBeGreaterThan(0)
  })

  it.each(rssFeeds)('%s: language is an ISO 639 code and the locale’s RSS value', (_, feed) => {
    const language = text(one(channelOf(feed), 'language'))
    expect(language).toBe(EXPECTED_RSS_LANGUAGE[feed.locale])
    expect(language).toMatch(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/)
    expect(ISO_639.has(language.split('-')[0]!.toLowerCase())).toBe(true)
  })

  it.each(rssFeeds)('%s: atom:link rel=self is the feed’s own URL', (_, feed) => {
    const self = all(channelOf(feed), 'atom:link').filter((l) => attr(l, 'rel') === 'self')
    expect(self.map((l) => [attr(l, 'href'), attr(l, 'type')])).toEqual([
      [expectedFeedUrl(feed.locale, feed.feedId, 'rss'), 'application/rss+xml'],
    ])
  })

  it.each(rssFeeds)('%s: dates are RFC 822 with English names and matching weekdays', (_, feed) => {
    const channel = channelOf(feed)
    for (const date of all(channel, 'lastBuildDate')) checkRfc822(text(date))
    for (const item of all(channel, 'item')) {
      checkRfc822(text(one(item, 'pubDate')))
      expect(all(item, 'dc:date'), 'dc:date beside pubDate is duplicate semantics').toEqual([])
      for (const modified of all(item, 'dcterms:modified')) expect(text(modified)).toMatch(W3CDTF)
    }
  })

  it.each(rssFeeds)(
    '%s: items have a title, a link and a unique guid with isPermaLink="false"',
    (_, feed) => {
      const guids = new Set<string>()
      for (const item of all(channelOf(feed), 'item')) {
        expect(text(one(item, 'title')).trim()).not.toBe('')
        expect(text(one(item, 'link'))).toMatch(HTTP_URL)
        const guid = one(item, 'guid')
        // A tag: URI is no permalink; without the attribute the validator demands an http URL.
        expect(attr(guid, 'isPermaLink')).toBe('false')
        expect(guids.has(text(guid))).toBe(false)
        guids.add(text(guid))
      }
    },
  )

  it.each(rssFeeds)('%s: <author> only as an e-mail address; names go to dc:creator', (_, feed) => {
    for (const item of all(channelOf(feed), 'item')) {
      for (const author of all(item, 'author')) expect(text(author)).toMatch(EMAIL)
      if (all(item, 'author').length > 0) expect(all(item, 'dc:creator')).toEqual([])
      for (const creator of all(item, 'dc:creator')) expect(text(creator).trim()).not.toBe('')
    }
  })

  it.each(rssFeeds)('%s: descriptions are non-empty where present', (_, feed) => {
    for (const item of all(channelOf(feed), 'item')) {
      expect(all(item, 'description').length).toBeLessThanOrEqual(1)
      for (const description of all(item, 'description')) expect(text(description).trim()).not.toBe('')
      for (const content of all(item, 'content:encoded')) expect(text(content).trim()).not.toBe('')
    }
  })

  it.each(rssFeeds)('%s: at most one enclosure per item, with url, length and type', (_, feed) => {
    let enclosures = 0
    for (const item of all(channelOf(feed), 'item')) {
      const found = all(item, 'enclosure')
      expect(found.length).toBeLessThanOrEqual(1)
      for (const enclosure of found) {
        enclosures++
        expect(attr(enclosure, 'url')).toMatch(HTTP_URL)
        expect(attr(enclosure, 'length')).toMatch(/^[1-9]\d*$/)
        expect(attr(enclosure, 'type')).toMatch(MIME)
      }
    }
    expect(enclosures).toBe(feed.expected.filter((a) => a.image?.type && a.image.length).length)
  })

  it.each(rssFeeds)('%s: no element duplicates a core one (DuplicateItemSemantics)', (_, feed) => {
    for (const item of all(channelOf(feed), 'item')) {
      const has = (name: string) => all(item, name).length > 0
      for (const [core, ext] of [
        ['pubDate', 'dc:date'],
        ['author', 'dc:creator'],
        ['category', 'dc:subject'],
        ['source', 'dc:source'],
        ['guid', 'dc:identifier'],
      ] as const) {
        expect(has(core) && has(ext), `<${core}> and <${ext}> in one item`).toBe(false)
      }
      for (const source of all(item, 'source')) expect(attr(source, 'url')).toMatch(HTTP_URL)
    }
  })
})

describe('the RFC 822 rule itself (controls)', () => {
  it.each([
    ['Sun, 06 Nov 2022 15:12:00 +0800', Date.parse('2022-11-06T15:12:00+08:00')],
    ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
  ])('accepts %s', (value, instant) => {
    expect(readRfc822(value)).toEqual({ instant })
  })

  it.each([
    ['a wrong weekday', 'Mon, 06 Nov 2022 15:12:00 +0800'],
    ['a Russian month', 'Sun, 06 ноя 2022 15:12:00 +0800'],
    ['a Kazakh weekday', 'Жс, 06 Nov 2022 15:12:00 +0800'],
    ['no weekday', '06 Nov 2022 15:12:00 +0800'],
    ['an RFC 3339 date', '2022-11-06T15:12:00+08:00'],
    ['a 31st of November', 'Thu, 31 Nov 2022 15:12:00 +0800'],
  ])('rejects %s', (_, value) => {
    expect(readRfc822(value)).toHaveProperty('problem')
  })
})

describe('W3C validator rules for Atom', () => {
  it.each(atomFeeds)(
    '%s: rel=self is the feed’s own URL and alternates are unique per type and hreflang',
    (_, feed) => {
      const root = one(parser.parse(feed.text) as Element, 'feed')
      const links = all(root, 'link')
      expect(
        links.filter((l) => attr(l, 'rel') === 'self').map((l) => [attr(l, 'href'), attr(l, 'type')]),
      ).toEqual([[expectedFeedUrl(feed.locale, feed.feedId, 'atom'), 'application/atom+xml']])
      const alternates = links
        .filter((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate')
        .map((l) => `${attr(l, 'type')} ${attr(l, 'hreflang')}`)
      expect(new Set(alternates).size).toBe(alternates.length)
    },
  )

  it.each(atomFeeds)('%s: entry ids are unique and dates are RFC 3339', (_, feed) => {
    const root = one(parser.parse(feed.text) as Element, 'feed')
    expect(text(one(root, 'updated'))).toMatch(W3CDTF)
    const ids = new Set<string>()
    for (const entry of all(root, 'entry')) {
      const id = text(one(entry, 'id'))
      expect(ids.has(id)).toBe(false)
      ids.add(id)
      expect(text(one(entry, 'updated'))).toMatch(W3CDTF)
      for (const published of all(entry, 'published')) expect(text(published)).toMatch(W3CDTF)
      // RFC 4287 §4.1.1 (the validator's DuplicateAtomLink): alternates differ in type or hreflang.
      const alternates = all(entry, 'link').filter((l) => attr(l, 'rel') === 'alternate')
      const combinations = alternates.map((l) => `${attr(l, 'type')} ${attr(l, 'hreflang')}`)
      expect(alternates.length).toBeGreaterThanOrEqual(1)
      expect(new Set(combinations).size).toBe(combinations.length)
    }
  })
})
