import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Article } from '../../src/domain/article.ts'
import type { FeedFormat } from '../../src/domain/feed-definition.ts'
import { audienceOf, primaryAudience } from '../../src/domain/audience.ts'
import { LOCALES, type Locale } from '../../src/domain/locale.ts'
import { renderFeedFormats, type RenderedFeed } from '../../src/services/render-feed.ts'
import { loadCatalog, loadStoredSamples, TEST_SETTINGS } from '../support/samples.ts'
import type { FeedCatalog, FeedDefinition } from '../../src/domain/feed-definition.ts'

/** File name extension per format, so golden files and temp files open as XML or JSON. */
export const FILE_EXTENSION: Record<FeedFormat, string> = { rss: 'rss.xml', atom: 'atom.xml', json: 'json' }

/** One rendered sample feed with the articles it was rendered from. */
export interface SampleFeed {
  feedId: string
  locale: Locale
  format: FeedFormat
  /** `<feed>.<locale>.<rss.xml|atom.xml|json>` */
  fileName: string
  text: string
  rendered: RenderedFeed
  /** The source records of this feed's locale that the feed selects, in no particular order. */
  expected: Article[]
}

function selects(definition: FeedDefinition, a: Article): boolean {
  return definition.sections === 'all' || a.sections.some((s) => definition.sections.includes(s))
}

/** The articles of one locale, as the feed service loads them (one locale per render). */
export function samplesIn(locale: Locale, articles: readonly Article[] = loadStoredSamples()): Article[] {
  return articles.filter((a) => a.locale === locale)
}

/**
 * Renders every public feed of the sample catalogue in every locale and format, as the public reads
 * it (63 for latest and sco in full text, summaries as excerpts); `feeds` picks others (the
 * partners-only wire feed, in full text).
 */
export async function renderSampleFeeds(
  feeds: (catalog: FeedCatalog) => FeedDefinition[] = (catalog) =>
    catalog.all.filter((d) => d.public !== 'none'),
): Promise<SampleFeed[]> {
  const catalog = loadCatalog()
  const samples = loadStoredSamples()
  const decoder = new TextDecoder()
  const out: SampleFeed[] = []
  for (const definition of feeds(catalog)) {
    const translations = new Map<string, { locale: Locale; url: string; title: string }[]>()
    for (const a of samples) {
      if (!definition.locales.includes(a.locale) || !selects(definition, a)) continue
      translations.set(a.id, [
        ...(translations.get(a.id) ?? []),
        { locale: a.locale, url: a.url, title: a.title },
      ])
    }
    for (const locale of LOCALES) {
      if (!definition.locales.includes(locale)) continue
      const articles = samplesIn(locale, samples)
      const rendered = await renderFeedFormats({
        definition,
        locale,
        articles,
        settings: TEST_SETTINGS,
        translations,
        audience: audienceOf(primaryAudience(definition)),
      })
      const expected = articles.filter((a) => selects(definition, a))
      for (const feed of rendered) {
        out.push({
          feedId: definition.id,
          locale,
          format: feed.format,
          fileName: `${definition.id}.${locale}.${FILE_EXTENSION[feed.format]}`,
          text: decoder.decode(feed.body),
          rendered: feed,
          expected,
        })
      }
    }
  }
  return out
}

/** The sample feeds written to a fresh temporary directory; `remove()` deletes it. */
export async function writeSampleFeeds(): Promise<{
  dir: string
  feeds: (SampleFeed & { path: string })[]
  remove: () => void
}> {
  const dir = mkdtempSync(join(tmpdir(), 'silkfeed-conformance-'))
  const feeds = (await renderSampleFeeds()).map((feed) => {
    const path = join(dir, feed.fileName)
    writeFileSync(path, feed.rendered.body)
    return { ...feed, path }
  })
  return { dir, feeds, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

// Expected values, written out from DESIGN.md rather than imported from src/, so a wrong table in
// src/domain/locale.ts cannot make its own test pass.

/** RSS `<language>` per locale. */
export const EXPECTED_RSS_LANGUAGE: Record<Locale, string> = {
  zh: 'zh-cn',
  ru: 'ru',
  kk: 'kk',
  uz: 'uz-Latn',
  'uz-cyrl': 'uz-Cyrl',
  'kk-latn': 'kk-Latn',
  'zh-hant': 'zh-tw',
}

/** BCP 47 tag: Atom xml:lang, JSON Feed `language`, hreflang. */
export const EXPECTED_LANGUAGE_TAG: Record<Locale, string> = {
  zh: 'zh-Hans',
  ru: 'ru',
  kk: 'kk',
  uz: 'uz-Latn',
  'uz-cyrl': 'uz-Cyrl',
  'kk-latn': 'kk-Latn',
  'zh-hant': 'zh-Hant-TW',
}

/** The public URL of a feed, as configured in TEST_SETTINGS. */
export function expectedFeedUrl(locale: Locale, feedId: string, format: FeedFormat): string {
  return `https://feeds.silkfeed.test/${locale}/${feedId}.${format}`
}

/** The stable id of one story in one locale (RFC 4151 tag URI under TEST_SETTINGS.idAuthority). */
export function expectedItemId(article: Article): string {
  return `tag:silkfeed.dev,2026:article/${article.id}/${article.locale}`
}

/** The other locales' alternates a feed must link, as hreflang → URL. */
export function expectedAlternates(feed: SampleFeed): Record<string, string> {
  const out: Record<string, string> = {}
  for (const other of LOCALES) {
    if (other !== feed.locale)
      out[EXPECTED_LANGUAGE_TAG[other]] = expectedFeedUrl(other, feed.feedId, feed.format)
  }
  return out
}

/** The feed's source articles, newest publication first (the order feeds list them in). */
export function expectedOrder(feed: SampleFeed): Article[] {
  return [...feed.expected].sort((a, b) => Date.parse(b.publishedAt) - Date.parse(a.publishedAt))
}
