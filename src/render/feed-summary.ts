import type { Article } from '../domain/article.ts'
import type { Locale } from '../domain/locale.ts'

/** One story as the human pages show it: plain text only (article HTML is never put on a page). */
export interface Headline {
  title: string
  url: string
  published: number
  summary?: string
  /** The localized "Source: …" line. */
  attribution?: string
  /** The story's rights (IPTC ninjs names), in the feed's language and script. */
  rights?: NonNullable<Article['rights']>
}

/** What the directory, preview pages and OPML need of one feed in one locale. */
export interface FeedSummary {
  feedId: string
  locale: Locale
  title: string
  description: string
  /** The content's last change (ms), as the feed's own Last-Modified. */
  lastModified: number
  /** Newest first, as in the feed. */
  items: Headline[]
  /** The month (`YYYY-MM`) of the feed's newest archive, when it has archives (its `next_url`). */
  newestArchive?: string
}

interface JsonFeedItem {
  title?: unknown
  url?: unknown
  summary?: unknown
  date_published?: unknown
  _silkfeed?: { attribution?: unknown; rights?: unknown }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

/**
 * Reads the summary of a feed from its rendered JSON Feed 1.1 document: the pages show exactly what
 * subscribers get, without reading articles again.
 */
export function summarizeJsonFeed(
  json: string,
  feed: { feedId: string; locale: Locale; lastModified: number },
): FeedSummary {
  const document = JSON.parse(json) as {
    title?: unknown
    description?: unknown
    items?: unknown
    next_url?: unknown
  }
  const items = Array.isArray(document.items) ? (document.items as JsonFeedItem[]) : []
  const newestArchive = /\/archive\/(\d{4}-\d{2})\.json$/.exec(text(document.next_url) ?? '')?.[1]
  return {
    ...feed,
    ...(newestArchive !== undefined && { newestArchive }),
    title: text(document.title) ?? feed.feedId,
    description: text(document.description) ?? '',
    items: items.flatMap((item) => {
      const title = text(item.title)
      const url = text(item.url)
      const published = Date.parse(text(item.date_published) ?? '')
      if (title === undefined || url === undefined || Number.isNaN(published)) return []
      const summary = text(item.summary)
      const attribution = text(item._silkfeed?.attribution)
      const rights = rightsOf(item._silkfeed?.rights)
      return [
        {
          title,
          url,
          published,
          ...(summary !== undefined && { summary }),
          ...(attribution !== undefined && { attribution }),
          ...(rights && { rights }),
        },
      ]
    }),
  }
}

const RIGHTS_FIELDS = ['copyrightHolder', 'copyrightNotice', 'usageTerms', 'licenseUrl'] as const

/** The rights fields of a JSON Feed item's `_silkfeed.rights` that are text; undefined when none is. */
function rightsOf(value: unknown): NonNullable<Article['rights']> | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const fields = value as Record<string, unknown>
  const rights = Object.fromEntries(
    RIGHTS_FIELDS.flatMap((name) => (typeof fields[name] === 'string' ? [[name, fields[name]]] : [])),
  ) as NonNullable<Article['rights']>
  return Object.keys(rights).length > 0 ? rights : undefined
}
