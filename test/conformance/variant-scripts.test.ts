import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { htmlParts, sourceLettersIn, VARIANTS, type Variant } from '../support/script-letters.ts'
import { EXPECTED_LANGUAGE_TAG, renderSampleFeeds, type SampleFeed } from './sample-feeds.ts'

// Every feed of the three script variants, parsed back as a reader parses it: no word of the
// source script may be left anywhere a reader or a screen reader meets text.

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- numeric character references need it; its successor (entityDecoder) would have us write the decoder
  htmlEntities: true,
})

/** Elements whose text is an identifier, a URL, a date or a code, not words. */
const XML_IDENTIFIERS = new Set([
  'link',
  'guid',
  'id',
  'pubDate',
  'lastBuildDate',
  'published',
  'updated',
  'dcterms:modified',
  'language',
  'docs',
  'ttl',
  'generator',
  'uri',
  'email',
  'icon',
  'logo',
])

/** Elements whose text is HTML (escaped into the feed): their markup is parsed too. */
const XML_HTML = new Set(['content:encoded', 'description', 'content', 'summary'])

/** Attributes whose value a reader meets (link titles, category labels). */
const XML_HUMAN_ATTRIBUTES = new Set(['title', 'label'])

/** JSON Feed members that hold identifiers, URLs, dates, sizes or codes. */
const JSON_IDENTIFIERS = new Set([
  'version',
  'id',
  'url',
  'external_url',
  'home_page_url',
  'feed_url',
  'next_url',
  'language',
  'hreflang',
  'date_published',
  'date_modified',
  'image',
  'banner_image',
  'icon',
  'favicon',
  'mime_type',
  'size_in_bytes',
  'sections',
  'derived_from',
])

type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> }

/**
 * The human-readable texts of a rendered feed. A link to the same story in another locale (with its
 * own `hreflang`) carries that version's title, in that language: it is not this feed's text.
 */
function humanTexts(feed: SampleFeed): string[] {
  const own = EXPECTED_LANGUAGE_TAG[feed.locale]
  const out: string[] = []
  const html = (text: string) => out.push(...htmlParts(text).human)
  if (feed.format === 'json') {
    const walk = (value: unknown, key: string | undefined, asHtml: boolean): void => {
      if (typeof value === 'string') {
        if (key !== undefined && JSON_IDENTIFIERS.has(key)) return
        if (asHtml) html(value)
        else out.push(value)
      } else if (Array.isArray(value)) {
        for (const entry of value) walk(entry, key, false)
      } else if (value && typeof value === 'object') {
        const record = value as Record<string, unknown>
        if (typeof record.language === 'string' && record.language !== own) return // another version
        for (const [k, v] of Object.entries(record)) walk(v, k, k === 'content_html')
      }
    }
    walk(JSON.parse(feed.text), undefined, false)
    return out
  }
  const walk = (nodes: readonly XmlNode[], parent: string): void => {
    for (const node of nodes) {
      const attributes = node[':@'] ?? {}
      if ('#text' in node) {
        const text = String(node['#text'])
        if (XML_IDENTIFIERS.has(parent)) continue
        if (XML_HTML.has(parent)) html(text)
        else out.push(text)
        continue
      }
      const name = Object.keys(node).find((k) => k !== ':@')!
      const otherVersion = attributes.hreflang !== undefined && attributes.hreflang !== own
      for (const [attribute, value] of Object.entries(attributes)) {
        if (XML_HUMAN_ATTRIBUTES.has(attribute) && !otherVersion) out.push(value)
      }
      walk(node[name] as XmlNode[], name)
    }
  }
  walk(xml.parse(feed.text) as XmlNode[], '')
  return out
}

/**
 * Latin words that stay Latin in Uzbek Cyrillic by the product rule (src/domain/script/uzbek.ts):
 * the service's own name, foreign all-capital acronyms, and an English quotation kept whole.
 */
const KEPT_FOREIGN_WORDS: Record<Variant, ReadonlySet<string>> = {
  'uz-cyrl': new Set(['Silkfeed', 'MBA', 'COVID', 'Doing', 'Business', 'with', 'Russia']),
  'kk-latn': new Set(),
  'zh-hant': new Set(),
}

/** The words of `text` that still hold a letter of the variant's source script, kept words aside. */
function unconvertedWords(variant: Variant, text: string): string[] {
  const words = variant === 'zh-hant' ? Array.from(text) : text.split(/[^\p{L}\p{M}'‘’`´]+/u)
  return words.filter((w) => sourceLettersIn(variant, w).length > 0 && !KEPT_FOREIGN_WORDS[variant].has(w))
}

const feeds = await renderSampleFeeds()

describe.each(VARIANTS)('sample feeds in $variant', ({ variant }) => {
  const own = feeds.filter((f) => f.locale === variant)

  it('are all there: 3 public feeds × 3 formats', () => {
    expect(own).toHaveLength(9)
  })

  it.each(own.map((f) => [f.fileName, f] as const))(
    '%s has no letter of its source script in any text a reader meets',
    (_, feed) => {
      const texts = humanTexts(feed)
      expect(texts.length).toBeGreaterThan(50)
      const left = texts
        .map((text) => ({ text, words: unconvertedWords(variant, text) }))
        .filter(({ words }) => words.length > 0)
      expect(left).toEqual([])
    },
  )
})
