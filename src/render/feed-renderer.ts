import type { Article } from '../domain/article.ts'
import type { FeedFormat } from '../domain/feed-definition.ts'
import type { Locale } from '../domain/locale.ts'
import type { RetractionReason } from '../domain/retraction.ts'
import type { RightsModel } from './item-parts.ts'

// The intermediate model every format renders from, and the two-step protocol a format implements.
// feed-model.ts builds the model; atom.ts, rss.ts and json-feed.ts render it.

/** A category of an item: a section, a free tag or the derived-script marker. */
interface Category {
  term: string
  label: string
  /** Sections and the derived-script marker have a scheme; free tags do not. */
  scheme?: string
  kind: 'section' | 'tag' | 'derived'
}

export interface ItemModel {
  /** Stable across edits: derived from the story id and locale only. */
  id: string
  url: string
  title: string
  summary?: string
  contentHtml?: string
  published: number
  updated: number
  authors: { name: string; url?: string }[]
  source?: { name: string; url?: string }
  attribution?: string
  categories: Category[]
  image?: Article['image']
  /** The same story in the other locales of this feed. */
  translations: { hreflang: string; url: string; title: string }[]
  /** The language tag of the editor's record this one was derived from at ingest, if it was. */
  derivedFrom?: string
  /** Set while the story is under embargo, in renderings for an audience that sees it early. */
  embargoedUntil?: number
  rights?: RightsModel
}

/** A feed without its items: what the document around the items is rendered from. */
export interface FeedHead {
  feedId: string
  locale: Locale
  languageTag: string
  rssLanguage: string
  timeZone: string
  id: string
  title: string
  description: string
  newsroom: string
  copyright: string
  homeUrl: string
  /**
   * The feed's public URL per format, in the public rendering only: a partner's rendering is shared
   * by every partner of its audience, so it names no URL of its own (a keyed URL holds a key, and the
   * public one serves another document or none).
   */
  selfUrl?: Record<FeedFormat, string>
  /** WebSub hubs to advertise (none in a partner's rendering: hubs fetch the public URL). */
  hubs: readonly string[]
  /** The same feed in the other locales that offer it. */
  alternates: { hreflang: string; url: Record<FeedFormat, string> }[]
  /** Stories pulled from the feed (RFC 6721 tombstones in Atom). */
  deleted: { id: string; when: number; reason: RetractionReason; comment: string }[]
  /** How long readers should wait between polls, from the feed's cache policy. */
  ttlMinutes: number
  /** The last change of the content (not the render time): drives `updated`, lastBuildDate, Last-Modified. */
  updated: number
  /** RFC 5005 links, on archive documents and on current feeds that have archives. */
  history?: FeedHistory
}

/** RFC 5005 links of a document, each an absolute URL per format. */
export interface FeedHistory {
  /** Set on an archive document (`fh:archive`): the feed it is an archive of. */
  current?: Record<FeedFormat, string>
  /** The next older archive (JSON Feed: `next_url`). */
  prev?: Record<FeedFormat, string>
  /** The next newer archive. */
  next?: Record<FeedFormat, string>
}

/** The namespace of RFC 5005's `fh:archive`. */
export const FEED_HISTORY_NS = 'http://purl.org/syndication/history/1.0'

/** The RFC 5005 `link` relations of a document, in order, with their targets in one format. */
export function historyLinks(history: FeedHistory | undefined, format: FeedFormat): [string, string][] {
  if (!history) return []
  const links: [string, string][] = []
  if (history.current) links.push(['current', history.current[format]])
  if (history.prev) links.push(['prev-archive', history.prev[format]])
  if (history.next) links.push(['next-archive', history.next[format]])
  return links
}

/**
 * One format's renderer in two steps: each item on its own (an item depends only on itself and the
 * feed's locale, never on the other items), then the document around the rendered items.
 */
export interface FeedRenderer {
  item(item: ItemModel, feed: FeedHead): string
  /** The document around `count` items: `before + items.join(between) + after`. */
  frame(feed: FeedHead, count: number): Frame
}

/** The text of a document around its items. */
export interface Frame {
  before: string
  between: string
  after: string
}

/** The frame of a document written as lines: the head's lines, one line per item, the tail's lines. */
export function linesFrame(head: readonly string[], count: number, tail: readonly string[]): Frame {
  return {
    before: `${head.join('\n')}\n`,
    between: '\n',
    after: `${count > 0 ? '\n' : ''}${tail.join('\n')}`,
  }
}
