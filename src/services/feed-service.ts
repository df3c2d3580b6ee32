import { ArticleSchema, type Article } from '../domain/article.ts'
import type { FeedCatalog, FeedDefinition, FeedFormat } from '../domain/feed-definition.ts'
import type { Locale } from '../domain/locale.ts'
import type { PublicationSettings } from '../render/feed-model.ts'
import { StorageUnavailableError, type ObjectStore } from '../storage/object-store.ts'
import { bundleRenderedFeed, decodeBundle, encodeBundle, type FeedBundle } from './feed-bundle.ts'
import { renderFeedFormats } from './render-feed.ts'
import { SingleFlight, withTimeout } from './single-flight.ts'
import { KEYS } from './storage-keys.ts'

/** Where a service reports what it could not do quietly. */
export interface Logger {
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export interface FeedServiceOptions {
  now: () => number
  /** How long a cached feed is served without asking storage (the bound on cross-instance staleness). */
  freshMs: number
  /** Upper bound for one storage request on the read path. */
  storageTimeoutMs: number
}

/** What a request is answered with: a bundle, and whether storage could not confirm it is current. */
export interface ServedFeed {
  bundle: FeedBundle
  stale: boolean
  /** Seconds since storage last confirmed this content (0 when fresh). */
  ageSeconds: number
}

interface CacheEntry {
  bundle: FeedBundle
  /** The store's ETag of the bundle object, for conditional revalidation. */
  storeEtag: string
  validatedAt: number
}

const decoder = new TextDecoder()

/**
 * Serves feeds from a hot in-memory cache in front of storage. Fresh hits make no storage request;
 * older entries are revalidated with a conditional GET; concurrent misses share one read and one
 * render; when storage fails, entries that were ever served are served stale within stale-if-error.
 */
export class FeedService {
  readonly #entries = new Map<string, CacheEntry>()
  readonly #reads = new SingleFlight<ServedFeed>()
  readonly #renders = new SingleFlight<FeedBundle[]>()

  constructor(
    private readonly store: ObjectStore,
    readonly feeds: FeedCatalog,
    private readonly settings: PublicationSettings,
    private readonly logger: Logger,
    private readonly options: FeedServiceOptions,
  ) {}

  /** The current bundle of a feed, from the hot cache, storage, or a first render. */
  async getFeed(definition: FeedDefinition, locale: Locale, format: FeedFormat): Promise<ServedFeed> {
    const key = KEYS.rendered(definition.id, locale, format)
    const entry = this.#entries.get(key)
    if (entry && this.options.now() - entry.validatedAt < this.options.freshMs) {
      return { bundle: entry.bundle, stale: false, ageSeconds: 0 }
    }
    return this.#reads.run(key, () => this.#refresh(definition, locale, format, key, entry))
  }

  async #refresh(
    definition: FeedDefinition,
    locale: Locale,
    format: FeedFormat,
    key: string,
    entry: CacheEntry | undefined,
  ): Promise<ServedFeed> {
    try {
      const found = await this.#withTimeout(
        entry ? this.store.getIfChanged(key, entry.storeEtag) : this.store.get(key),
      )
      if (found === 'unchanged' && entry) {
        entry.validatedAt = this.options.now()
        return { bundle: entry.bundle, stale: false, ageSeconds: 0 }
      }
      if (found && found !== 'unchanged') {
        const bundle = decodeBundle(found.body)
        if (bundle) {
          this.#entries.set(key, { bundle, storeEtag: found.etag, validatedAt: this.options.now() })
          return { bundle, stale: false, ageSeconds: 0 }
        }
        this.logger.warn('stored feed is not a bundle; rendering again', { key })
      }
      const bundles = await this.#renders.run(`${definition.id}/${locale}`, () =>
        this.renderAndStore(definition, locale),
      )
      const bundle = bundles.find((b) => b.format === format)
      if (!bundle) throw new Error(`renderer produced no ${format}`)
      return { bundle, stale: false, ageSeconds: 0 }
    } catch (error) {
      const age = entry ? this.options.now() - entry.validatedAt : Infinity
      if (entry && error instanceof StorageUnavailableError && age <= definition.cache.staleIfError * 1000) {
        this.logger.warn('storage unavailable; serving stale feed', {
          key,
          ageMs: age,
          reason: error.message,
        })
        return { bundle: entry.bundle, stale: true, ageSeconds: Math.floor(age / 1000) }
      }
      throw error
    }
  }

  /** Renders every format of one feed in one locale, stores the bundles, and makes them the cached copies. */
  async renderAndStore(definition: FeedDefinition, locale: Locale): Promise<FeedBundle[]> {
    const articles = await this.loadArticles(locale)
    const rendered = await renderFeedFormats({ definition, locale, articles, settings: this.settings })
    const bundles = rendered.map(bundleRenderedFeed)
    await Promise.all(
      bundles.map(async (bundle) => {
        const key = KEYS.rendered(bundle.feedId, locale, bundle.format)
        const { etag } = await this.store.put(key, encodeBundle(bundle), {
          contentType: 'application/vnd.silkfeed.bundle',
          metadata: {
            'feed-etag': bundle.variants.identity.etag,
            'last-modified': new Date(bundle.lastModified).toISOString(),
            'item-count': String(bundle.itemCount),
          },
        })
        this.#entries.set(key, { bundle, storeEtag: etag, validatedAt: this.options.now() })
      }),
    )
    return bundles
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

  #withTimeout<T>(promise: Promise<T>): Promise<T> {
    const ms = this.options.storageTimeoutMs
    return withTimeout(
      promise,
      ms,
      () => new StorageUnavailableError(`storage did not answer within ${ms} ms`),
    )
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
