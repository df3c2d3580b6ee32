import type { FeedCatalog, FeedDefinition, FeedFormat } from '../domain/feed-definition.ts'
import type { Locale } from '../domain/locale.ts'
import type { PublicationSettings } from '../render/feed-model.ts'
import { StorageUnavailableError, type ObjectStore } from '../storage/object-store.ts'
import { bundleRenderedFeed, decodeBundle, encodeBundle, type FeedBundle } from './feed-bundle.ts'
import { RENDERER_VERSION, RenderedItems, renderFeedFormats, strongEtag } from './render-feed.ts'
import { RESOURCES } from '../i18n/translator.ts'
import type { TranslationIndex } from '../render/feed-model.ts'
import { allSettled, Coalescer, SingleFlight, withTimeout } from './single-flight.ts'
import { ArticleRepository } from './article-repository.ts'
import { applyChanges, EMPTY_SNAPSHOT, localeOfChange, type FeedSnapshot } from '../domain/feed-snapshot.ts'
import { KEYS } from './storage-keys.ts'

const encoder = new TextEncoder()

/**
 * How long a snapshot this process rendered from stands in for the stored one. Far inside the change
 * log's retention (at least an hour), so the log since it is always complete.
 */
const SNAPSHOT_MEMORY_MS = 10 * 60_000

/**
 * How often a feed's snapshot is stored. The snapshot is a checkpoint of the change log (which holds
 * every change, durable before any render): storing it at every render would write each feed's
 * stories again at each republish, so it is stored when the stored one is this much older than
 * the state in memory, or when none is known. A process that starts meanwhile reads the stored
 * snapshot and the change log since it, which retention (at least an hour) keeps far longer.
 */
const CHECKPOINT_MS = 60_000

/** How long a change-log listing may serve other renders, so other processes' news is not held back. */
const SHARED_LISTING_MS = 1000
import { boundBy, NO_TELEMETRY, type Telemetry } from './telemetry.ts'

/** Where a service reports what it could not do quietly. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export interface FeedServiceOptions {
  now: () => number
  /** How long a cached feed is served without asking storage (the bound on cross-instance staleness). */
  freshMs: number
  /** Upper bound for one storage request on the read path. */
  storageTimeoutMs: number
  /** How far before a snapshot's last read of the change log the next read starts (clock skew, slow writers). */
  overlapMs: number
  /** How long a retracted story stays in feeds as a tombstone. */
  tombstoneMs: number
  newId: () => string
  telemetry?: Telemetry
}

/** How a read was answered: from memory, after a conditional read, from storage, by rendering, or stale. */
export type CacheOutcome = 'hit' | 'revalidated' | 'miss' | 'rendered' | 'stale'

/** What a request is answered with: a bundle, and whether storage could not confirm it is current. */
export interface ServedFeed {
  bundle: FeedBundle
  stale: boolean
  /** Seconds since storage last confirmed this content (0 when fresh). */
  ageSeconds: number
  outcome: CacheOutcome
}

/** One locale of a feed during a render: its advanced snapshot and the change-log read it came from. */
interface LocaleState {
  locale: Locale
  snapshot: FeedSnapshot
  since: number
  listed: string[]
}

/** Every story of a feed by id: where it can be read in each locale that carries it. */
function translationIndex(states: readonly LocaleState[]): TranslationIndex {
  const index = new Map<string, { locale: Locale; url: string; title: string }[]>()
  for (const { locale, snapshot } of states) {
    for (const item of snapshot.items) {
      let versions = index.get(item.id)
      if (!versions) index.set(item.id, (versions = []))
      versions.push({ locale, url: item.url, title: item.title })
    }
  }
  return index
}

interface CacheEntry {
  bundle: FeedBundle
  /** The store's ETag of the bundle object, for conditional revalidation. */
  storeEtag: string
  validatedAt: number
}

/**
 * Serves feeds from a hot in-memory cache in front of storage. Fresh hits make no storage request;
 * older entries are revalidated with a conditional GET; concurrent misses share one read and one
 * render; when storage fails, entries that were ever served are served stale within stale-if-error.
 */
export class FeedService {
  readonly #entries = new Map<string, CacheEntry>()
  readonly #reads = new SingleFlight<ServedFeed>()
  readonly #renders = new Coalescer<FeedBundle[]>()
  readonly #renderKeys = new Map<string, Promise<string>>()
  /** The snapshot this process last rendered each feed and locale from (stored or not: see CHECKPOINT_MS). */
  readonly #snapshots = new Map<string, FeedSnapshot>()
  /** When (listedAt) the snapshot in storage was taken, per feed and locale, as far as this process knows. */
  readonly #checkpoints = new Map<string, number>()
  /** The latest change-log listing, shared by the feeds and locales rendered at the same time. */
  #listing?: { since: number; seq: number; appends: number; at: number; keys: Promise<string[]> }
  #listingSeq = 0
  /** Items rendered by earlier renders, reused by the next ones (the settings never change). */
  readonly #renderedItems = new RenderedItems()
  readonly articles: ArticleRepository

  constructor(
    private readonly store: ObjectStore,
    readonly feeds: FeedCatalog,
    readonly settings: PublicationSettings,
    private readonly logger: Logger,
    private readonly options: FeedServiceOptions,
  ) {
    this.articles = new ArticleRepository(store, options.newId)
  }

  /** How long retracted stories stay in feeds as tombstones. */
  get tombstoneMs(): number {
    return this.options.tombstoneMs
  }

  /** The current bundle of a feed, from the hot cache, storage, or a first render. */
  async getFeed(definition: FeedDefinition, locale: Locale, format: FeedFormat): Promise<ServedFeed> {
    const hot = this.getHotFeed(definition, locale, format)
    if (hot) return hot
    const key = KEYS.rendered(definition.id, locale, format)
    const entry = this.#entries.get(key)
    return this.#counted(
      await this.#reads.run(key, () => this.#refresh(definition, locale, format, key, entry)),
    )
  }

  /**
   * The synchronous half of getFeed: a hit from the hot cache (no storage request), or undefined
   * when storage has to be asked.
   */
  getHotFeed(
    definition: FeedDefinition,
    locale: Locale,
    format: FeedFormat,
    key = this.hotKey(definition, locale, format),
  ): ServedFeed | undefined {
    const entry = this.#entries.get(key)
    if (!entry || this.options.now() - entry.validatedAt >= this.options.freshMs) return undefined
    return this.#counted({ bundle: entry.bundle, stale: false, ageSeconds: 0, outcome: 'hit' })
  }

  /** The hot cache's key of a feed, for callers that look the same feed up often (`getHotFeed`). */
  hotKey(definition: FeedDefinition, locale: Locale, format: FeedFormat): string {
    return KEYS.rendered(definition.id, locale, format)
  }

  #counted(served: ServedFeed): ServedFeed {
    this.#outcomes(served.outcome)()
    return served
  }

  readonly #outcomes = boundBy((outcome) =>
    (this.options.telemetry ?? NO_TELEMETRY).counter('silkfeed_feed_cache_total', { outcome }),
  )

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
        return { bundle: entry.bundle, stale: false, ageSeconds: 0, outcome: 'revalidated' }
      }
      if (found && found !== 'unchanged') {
        const bundle = decodeBundle(found.body)
        if (bundle && bundle.renderedWith === (await this.#renderKey(definition))) {
          this.#entries.set(key, { bundle, storeEtag: found.etag, validatedAt: this.options.now() })
          return { bundle, stale: false, ageSeconds: 0, outcome: 'miss' }
        }
        if (bundle) this.logger.info('stored feed was rendered with other settings; rendering again', { key })
        else this.logger.warn('stored feed is not a bundle; rendering again', { key })
      }
      const bundles = await this.renderAndStore(definition, locale)
      const bundle = bundles.find((b) => b.format === format)
      if (!bundle) throw new Error(`renderer produced no ${format}`)
      return { bundle, stale: false, ageSeconds: 0, outcome: 'rendered' }
    } catch (error) {
      const age = entry ? this.options.now() - entry.validatedAt : Infinity
      if (entry && error instanceof StorageUnavailableError && age <= definition.cache.staleIfError * 1000) {
        this.logger.warn('storage unavailable; serving stale feed', {
          key,
          ageMs: age,
          reason: error.message,
        })
        return { bundle: entry.bundle, stale: true, ageSeconds: Math.floor(age / 1000), outcome: 'stale' }
      }
      throw error
    }
  }

  /**
   * Brings one feed up to date with the change log in every locale, renders every locale in every
   * format (each item links its translations, so the locales are rendered together), and stores the
   * bundles and snapshots. Runs one at a time per feed in this process; callers arriving meanwhile
   * share the next run, which covers every change they wrote before calling. With `locale`, returns
   * only that locale's bundles.
   */
  async renderAndStore(definition: FeedDefinition, locale?: Locale): Promise<FeedBundle[]> {
    const bundles = await this.#renders.run(definition.id, () => this.#materialize(definition))
    return locale ? bundles.filter((b) => b.locale === locale) : bundles
  }

  async #materialize(definition: FeedDefinition): Promise<FeedBundle[]> {
    let bundles: FeedBundle[] = []
    // Another process may write between our read of the log and our write; read the log again after
    // writing and go round once more if it holds anything we missed (no conditional writes needed).
    for (let round = 0; round < 3; round++) {
      const states = await Promise.all(definition.locales.map((locale) => this.#advance(definition, locale)))
      bundles = await this.#renderAndPut(definition, states)
      const written = this.#listingSeq
      const after = await this.#listChanges(Math.min(...states.map((s) => s.since)), written)
      if (!(await this.#missedAny(states, after))) break
    }
    return bundles
  }

  /** Does the log hold, besides what the states were built from, a change in one of their locales? */
  async #missedAny(states: readonly LocaleState[], keys: readonly string[]): Promise<boolean> {
    const covered = states.map(({ locale, snapshot, listed }) => ({
      locale,
      keys: new Set([...snapshot.applied, ...listed]),
    }))
    for (const key of keys) {
      const missedBy = covered.filter((c) => !c.keys.has(key)).map((c) => c.locale)
      if (missedBy.length === 0) continue
      const changes = await this.articles.getChanges(key)
      if (changes?.some((change) => missedBy.includes(localeOfChange(change)))) return true
    }
    return false
  }

  /**
   * The change log since `since`, one listing for every locale. Before a render, a listing that
   * began after this instance's latest append will do (feeds rendered together share it): every
   * caller appended before calling. After a write, the listing must begin after the write (`after`,
   * from `#listingSeq`), to see what other processes appended meanwhile.
   */
  #listChanges(since: number, after?: number): Promise<string[]> {
    const shared = this.#listing
    const appends = this.articles.appends
    if (
      shared &&
      shared.since <= since &&
      (after === undefined
        ? shared.appends === appends && this.options.now() - shared.at < SHARED_LISTING_MS
        : shared.seq > after)
    ) {
      return shared.keys
    }
    const keys = this.articles.listChanges(since)
    const listing = { since, seq: ++this.#listingSeq, appends, at: this.options.now(), keys }
    this.#listing = listing
    keys.catch(() => {
      if (this.#listing === listing) this.#listing = undefined
    })
    return keys
  }

  /**
   * One locale's snapshot with every change-log entry since its last read applied. The snapshot this
   * process last rendered from stands in for the stored one while it is recent: the change log since
   * it holds whatever other processes added, and applying changes is order-independent.
   */
  async #advance(definition: FeedDefinition, locale: Locale): Promise<LocaleState> {
    const key = `${definition.id}/${locale}`
    const remembered = this.#snapshots.get(key)
    let stored = remembered
    if (!remembered || this.options.now() - remembered.listedAt >= SNAPSHOT_MEMORY_MS) {
      stored = (await this.articles.getSnapshot(definition.id, locale)) ?? undefined
      if (stored) this.#checkpoints.set(key, stored.listedAt)
      else this.#checkpoints.delete(key)
    }
    const listedAt = this.options.now()
    const since = (stored ? stored.listedAt : listedAt) - this.options.overlapMs
    const listed = await this.#listChanges(since)
    let base = stored
    if (!base || (!base.complete && base.items.length < definition.limit)) {
      base = await this.#fullBuild(definition, locale, listedAt)
    }
    const applied = new Set(base.applied)
    const fresh = listed.filter((k) => !applied.has(k))
    const entries = await Promise.all(
      fresh.map(async (key) => ({ key, changes: (await this.articles.getChanges(key)) ?? [] })),
    )
    const snapshot = applyChanges(
      definition,
      base,
      entries.flatMap(({ key, changes }) =>
        changes.filter((change) => localeOfChange(change) === locale).map((change) => ({ key, change })),
      ),
      {
        now: listedAt,
        tombstoneMs: this.options.tombstoneMs,
        listedAt,
        overlapMs: this.options.overlapMs,
        read: fresh,
      },
    )
    return { locale, snapshot, since, listed }
  }

  async #fullBuild(definition: FeedDefinition, locale: Locale, listedAt: number): Promise<FeedSnapshot> {
    const all = await this.articles.loadAll(locale)
    return applyChanges(
      definition,
      EMPTY_SNAPSHOT,
      all.map((record) => ({ key: '', change: { type: 'upsert', record } })),
      { now: listedAt, tombstoneMs: this.options.tombstoneMs, listedAt, overlapMs: this.options.overlapMs },
    )
  }

  /**
   * Renders each locale and sends its bundles and snapshot to storage at once, so that storage works
   * on one locale while the next is rendered; resolves when every write is durable.
   */
  async #renderAndPut(definition: FeedDefinition, states: readonly LocaleState[]): Promise<FeedBundle[]> {
    const started = this.options.now()
    const translations = translationIndex(states)
    const renderedWith = await this.#renderKey(definition)
    const bundles: FeedBundle[] = []
    const writes: Promise<unknown>[] = []
    const remember: [string, FeedSnapshot][] = []
    for (const { locale, snapshot } of states) {
      const rendered = await renderFeedFormats({
        definition,
        locale,
        articles: snapshot.items,
        tombstones: snapshot.tombstones,
        settings: this.settings,
        translations,
        renderedItems: this.#renderedItems,
      })
      const own = rendered.map((feed) => bundleRenderedFeed(feed, renderedWith))
      bundles.push(...own)
      const key = `${definition.id}/${locale}`
      const checkpoint = this.#checkpoints.get(key)
      writes.push(...own.map((bundle) => this.#putBundle(bundle)))
      if (checkpoint === undefined || snapshot.listedAt - checkpoint >= CHECKPOINT_MS) {
        writes.push(
          this.articles.putSnapshot(definition.id, locale, snapshot).then(() => {
            this.#checkpoints.set(key, snapshot.listedAt)
          }),
        )
      }
      remember.push([key, snapshot])
      // Awaited below; a write that fails early must not count as unhandled meanwhile.
      for (const write of writes) write.catch(() => undefined)
    }
    this.options.telemetry?.observe('silkfeed_render_seconds', (this.options.now() - started) / 1000, {
      feed: definition.id,
    })
    await allSettled(writes)
    for (const [key, snapshot] of remember) this.#snapshots.set(key, snapshot)
    return bundles
  }

  async #putBundle(bundle: FeedBundle): Promise<void> {
    const key = KEYS.rendered(bundle.feedId, bundle.locale, bundle.format)
    const { etag } = await this.store.put(key, encodeBundle(bundle), {
      contentType: 'application/vnd.silkfeed.bundle',
      metadata: {
        'feed-etag': bundle.variants.identity.etag,
        'last-modified': new Date(bundle.lastModified).toISOString(),
        'item-count': String(bundle.itemCount),
      },
    })
    this.#entries.set(key, { bundle, storeEtag: etag, validatedAt: this.options.now() })
  }

  /** What, besides the articles, a feed's bytes depend on; computed once per feed. */
  #renderKey(definition: FeedDefinition): Promise<string> {
    let key = this.#renderKeys.get(definition.id)
    if (!key) {
      const texts = definition.locales.map((locale) => RESOURCES[locale].feeds)
      const inputs = JSON.stringify({ RENDERER_VERSION, settings: this.settings, definition, texts })
      key = strongEtag(encoder.encode(inputs)).then((tag) => `${RENDERER_VERSION}-${tag.slice(1, -1)}`)
      this.#renderKeys.set(definition.id, key)
    }
    return key
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
