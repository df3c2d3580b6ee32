import { keepRunning, type KeepAlive } from '../ports/background.ts'
import { primaryAudience, type AudienceKey } from '../domain/audience.ts'
import type { FeedCatalog, FeedDefinition, FeedFormat } from '../domain/feed-definition.ts'
import type { Locale } from '../domain/locale.ts'
import type { PublicationSettings } from '../render/feed-model.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import { ArticleRepository } from './article-repository.ts'
import { ChangeLog, type LogEntry } from './change-log.ts'
import type { ChangeSignal } from './change-signal.ts'
import type { FeedBundle } from './feed-bundle.ts'
import { DamageLog } from './damage-log.ts'
import { FeedCache, type ServedFeed } from './feed-cache.ts'
import { FeedPublisher } from './feed-publisher.ts'
import { Materializer } from './materializer.ts'
import type { Clock, Logger, Telemetry } from '../ports/observability.ts'
import { PublishService } from './publish.ts'
import { VariantCache, type HotKeys } from './variant-cache.ts'
import { feedTiming, type FeedTiming, type TimingSettings } from './timing.ts'

export type { CacheOutcome, ServedFeed } from './feed-cache.ts'

export interface FeedServiceOptions extends TimingSettings {
  now: Clock
  /** How long a retracted story stays in feeds as a tombstone. */
  tombstoneMs: number
  newId: () => string
  telemetry?: Telemetry
  /** The store as one webhook reaches its articles through (see PublishDeps); the whole store by default. */
  requestStore?: () => ObjectStore
  /**
   * Wakes the change cursor's waiting requests when this process appends to the log. Node only:
   * workerd forbids settling one request's promise from another's.
   */
  changeSignal?: ChangeSignal
  /** Keeps a refresh that no request waits for running (a Worker's `waitUntil`); Node's by default. */
  keepAlive?: KeepAlive
}

/**
 * The feeds of a catalogue, wired: the change log, the articles, the materializer and publisher
 * (the write side) and the hot cache (the read side). Routes read through it; `publishService`
 * hands the webhook's service the parts it needs.
 */
export class FeedService {
  readonly articles: ArticleRepository
  readonly changeLog: ChangeLog
  readonly changeSignal: ChangeSignal | undefined
  readonly timing: FeedTiming
  /** Keeps work that no request waits for running after its request is answered. */
  readonly keepAlive: KeepAlive
  readonly #publisher: FeedPublisher
  readonly #cache: FeedCache
  readonly #variants: VariantCache

  constructor(
    store: ObjectStore,
    readonly feeds: FeedCatalog,
    readonly settings: PublicationSettings,
    logger: Logger,
    private readonly options: FeedServiceOptions,
  ) {
    const { now, telemetry } = options
    this.timing = feedTiming(options)
    this.articles = new ArticleRepository(store)
    const signal = (this.changeSignal = options.changeSignal)
    this.changeLog = new ChangeLog(store, options.newId, now, this.timing.sharedListingMs, () =>
      signal?.notify(this.changeLog.mark()),
    )
    const materializer = new Materializer(
      store,
      this.changeLog,
      this.articles,
      { ...this.timing, tombstoneMs: options.tombstoneMs },
      now,
      new DamageLog(logger),
    )
    this.#publisher = new FeedPublisher(
      store,
      materializer,
      settings,
      now,
      (key, bundle, etag) => {
        const definition = feeds.find(bundle.feedId)
        if (definition && bundle.audience !== primaryAudience(definition))
          this.#variants.remember(key, bundle)
        else this.#cache.remember(key, bundle, etag)
      },
      telemetry,
    )
    this.keepAlive = options.keepAlive ?? keepRunning
    this.#cache = new FeedCache(store, this.#publisher, logger, this.timing, now, telemetry, this.keepAlive)
    this.#variants = new VariantCache(store, this.#publisher, this.#cache, now, this.timing.storageTimeoutMs)
  }

  /**
   * A feed in one locale and format as an audience reads it (a partner's full text, embargoed
   * stories): rendered and compressed once per change of the feed, never per reader.
   */
  getFeedFor(
    definition: FeedDefinition,
    locale: Locale,
    format: FeedFormat,
    audience: AudienceKey,
  ): Promise<ServedFeed> {
    return this.#variants.getFeed(definition, locale, format, audience)
  }

  /**
   * The synchronous half of getFeedFor: the copy in hand when current, else undefined. A caller that
   * asks for the same feed often passes its `hotKey`s (the feed's and the audience's) made once.
   */
  getHotFeedFor(
    definition: FeedDefinition,
    locale: Locale,
    format: FeedFormat,
    audience: AudienceKey,
    keys?: HotKeys,
  ): ServedFeed | undefined {
    return this.#variants.getHotFeed(definition, locale, format, audience, keys)
  }

  /** How long retracted stories stay in feeds as tombstones. */
  get tombstoneMs(): number {
    return this.options.tombstoneMs
  }

  /** The current bundle of a feed, from the hot cache, storage, or a first render. */
  getFeed(definition: FeedDefinition, locale: Locale, format: FeedFormat): Promise<ServedFeed> {
    return this.#cache.getFeed(definition, locale, format)
  }

  /** The synchronous half of getFeed: the copy in hand, or undefined when storage has to be asked. */
  getHotFeed(
    definition: FeedDefinition,
    locale: Locale,
    format: FeedFormat,
    key?: string,
  ): ServedFeed | undefined {
    return this.#cache.getHotFeed(definition, locale, format, key)
  }

  /** The hot cache's key of a feed (or of its rendering for `audience`), for callers that look it up often. */
  hotKey(definition: FeedDefinition, locale: Locale, format: FeedFormat, audience?: AudienceKey): string {
    return this.#cache.hotKey(definition, locale, format, audience)
  }

  /**
   * Brings a feed up to date with the change log (and the entries in `written`) in every locale and
   * stores it; with `locale`, returns only that locale's bundles.
   */
  renderAndStore(
    definition: FeedDefinition,
    locale?: Locale,
    written: readonly LogEntry[] = [],
  ): Promise<FeedBundle[]> {
    return this.#publisher.publish(definition, written, locale).then(primaryOf(definition))
  }

  /** The webhook's service, handed the parts it needs from these feeds. */
  publishService(now: Clock = this.options.now): PublishService {
    return new PublishService({
      articles: this.articles,
      requestStore: this.options.requestStore,
      changeLog: this.changeLog,
      catalog: this.feeds,
      render: (definition, written) =>
        this.#publisher.publish(definition, written).then(primaryOf(definition)),
      now,
    })
  }
}

/** Only the bundles of a feed's primary audience: what reports and WebSub pings are about. */
function primaryOf(definition: FeedDefinition): (bundles: FeedBundle[]) => FeedBundle[] {
  const primary = primaryAudience(definition)
  return (bundles) => bundles.filter((b) => (b.audience ?? 'full') === primary)
}
