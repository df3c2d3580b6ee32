import { ArticleSchema, type Article } from '../domain/article.ts'
import type { FeedCatalog, FeedDefinition, FeedFormat } from '../domain/feed-definition.ts'
import type { Locale } from '../domain/locale.ts'
import type { PublicationSettings } from '../render/feed-model.ts'
import type { ObjectStore, StoredObject } from '../storage/object-store.ts'
import { renderFeedFormats, type RenderedFeed } from './render-feed.ts'
import { KEYS } from './storage-keys.ts'

/** Where a service reports what it could not do quietly. */
export interface Logger {
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

const decoder = new TextDecoder()

/** Reads feeds from storage, and renders and stores them when storage has none yet. */
export class FeedService {
  constructor(
    private readonly store: ObjectStore,
    private readonly catalog: FeedCatalog,
    private readonly settings: PublicationSettings,
    private readonly logger: Logger,
  ) {}

  /** The stored rendering of a feed, rendered and stored first on a miss. */
  async getFeed(definition: FeedDefinition, locale: Locale, format: FeedFormat): Promise<RenderedFeed> {
    const stored = await this.store.get(KEYS.rendered(definition.id, locale, format))
    if (stored) {
      const feed = fromStored(definition.id, locale, format, stored)
      if (feed) return feed
      this.logger.warn('stored feed lacks metadata; rendering again', { feed: definition.id, locale, format })
    }
    const rendered = await this.renderAndStore(definition, locale)
    const wanted = rendered.find((r) => r.format === format)
    if (!wanted) throw new Error(`renderer produced no ${format}`)
    return wanted
  }

  /** Renders every format of one feed in one locale from the stored articles and stores them. */
  async renderAndStore(definition: FeedDefinition, locale: Locale): Promise<RenderedFeed[]> {
    const articles = await this.loadArticles(locale)
    const rendered = await renderFeedFormats({ definition, locale, articles, settings: this.settings })
    await Promise.all(
      rendered.map((feed) =>
        this.store.put(KEYS.rendered(feed.feedId, locale, feed.format), feed.body, {
          contentType: feed.contentType,
          metadata: {
            'feed-etag': feed.etag,
            'last-modified': String(feed.lastModified),
            'item-count': String(feed.itemCount),
          },
        }),
      ),
    )
    return rendered
  }

  /** Every stored article of a locale; a record that no longer validates is logged and left out. */
  async loadArticles(locale: Locale): Promise<Article[]> {
    const keys = await this.store.list(KEYS.articlePrefix(locale))
    const objects = await Promise.all(keys.map((key) => this.store.get(key)))
    const articles: Article[] = []
    objects.forEach((object, index) => {
      if (!object) return
      const parsed = ArticleSchema.safeParse(safeJson(decoder.decode(object.body)))
      if (parsed.success) articles.push(parsed.data)
      else this.logger.error('stored article is invalid; left out of feeds', { key: keys[index] })
    })
    return articles
  }

  get feeds(): FeedCatalog {
    return this.catalog
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function fromStored(
  feedId: string,
  locale: Locale,
  format: FeedFormat,
  stored: StoredObject,
): RenderedFeed | null {
  const etag = stored.metadata['feed-etag']
  const lastModified = Number(stored.metadata['last-modified'])
  const itemCount = Number(stored.metadata['item-count'])
  if (!etag || !Number.isFinite(lastModified)) return null
  return {
    feedId,
    locale,
    format,
    body: stored.body,
    contentType: stored.contentType,
    etag,
    lastModified,
    itemCount: Number.isFinite(itemCount) ? itemCount : 0,
  }
}
