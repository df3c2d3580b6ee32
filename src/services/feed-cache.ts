import { keepRunning, type KeepAlive } from '../ports/background.ts'
import { primaryAudience, type AudienceKey } from '../domain/audience.ts'
import type { FeedDefinition, FeedFormat } from '../domain/feed-definition.ts'
import type { Locale } from '../domain/locale.ts'
import {
  StorageUnavailableError,
  type Bytes,
  type ObjectStore,
  type StoredObject,
} from '../ports/object-store.ts'
import { DamageLog } from './damage-log.ts'
import { covers, decodeBundle, isOutdated, type FeedBundle } from './feed-bundle.ts'
import type { Clock, Logger, Telemetry } from '../ports/observability.ts'
import { strongEtag } from './render-feed.ts'
import { withTimeout } from './single-flight.ts'
import { KEYS } from './storage-keys.ts'
import { boundBy, NO_TELEMETRY } from './telemetry.ts'
import type { FeedTiming } from './timing.ts'

/** How a read was answered: from memory, after a conditional read, from storage, by rendering, or stale. */
export type CacheOutcome = 'hit' | 'revalidated' | 'miss' | 'rendered' | 'stale'

/** What a request is answered with: a bundle, and whether storage has not confirmed it just now. */
export interface ServedFeed {
  bundle: FeedBundle
  stale: boolean
  /** Seconds since storage last confirmed this content (0 when fresh). */
  ageSeconds: number
  outcome: CacheOutcome
}

/** What the cache asks of the write side: a render of a feed, and what a stored bundle must be rendered with. */
export interface FeedRenderer {
  publish(
    definition: FeedDefinition,
    written?: readonly never[],
    locale?: Locale,
    audience?: AudienceKey,
  ): Promise<FeedBundle[]>
  renderKey(definition: FeedDefinition): Promise<string>
  /** A bundle as read (its store ETag, metadata): the version the next render may replace. */
  observed(key: string, stored: Pick<StoredObject, 'etag' | 'metadata'>): void
}

interface CacheEntry {
  bundle: FeedBundle
  /** The store's ETag of the bundle object, for conditional revalidation. */
  storeEtag: string
  validatedAt: number
  /** What every hit on this copy is answered with, made once: a hit allocates nothing. */
  hit: ServedFeed
}

/**
 * Serves feeds from a hot in-memory copy in front of storage. A copy younger than `freshMs` is served
 * as it is; an older one, up to the freshness bound, is served (with its age) while one refresh runs
 * in the background; past the bound, or with no copy, the request waits for the refresh. Concurrent
 * refreshes of a feed share one read and one render; when storage fails, a copy that was ever served
 * is served stale within the feed's stale-if-error.
 */
export class FeedCache {
  // One entry per catalogue feed × locale × format: finite by construction (hotKey of a known feed).
  readonly #entries = new Map<string, CacheEntry>()
  /** The refresh under way per feed, shared by the requests that arrive meanwhile. */
  readonly #refreshes = new Map<string, { promise: Promise<ServedFeed>; startedAt: number }>()
  readonly #outcomes: (outcome: string) => () => void
  readonly #hits: () => void
  readonly #damage: DamageLog

  constructor(
    private readonly store: ObjectStore,
    private readonly renderer: FeedRenderer,
    private readonly logger: Logger,
    private readonly timing: Pick<FeedTiming, 'freshMs' | 'storageTimeoutMs' | 'freshnessBoundMs'>,
    private readonly now: Clock,
    telemetry: Telemetry = NO_TELEMETRY,
    private readonly keepAlive: KeepAlive = keepRunning,
  ) {
    this.#damage = new DamageLog(logger)
    this.#outcomes = boundBy((outcome) => telemetry.counter('silkfeed_feed_cache_total', { outcome }))
    this.#hits = this.#outcomes('hit')
  }

  /** The current bundle of a feed for its primary audience, from the hot copy, storage, or a first render. */
  async getFeed(definition: FeedDefinition, locale: Locale, format: FeedFormat): Promise<ServedFeed> {
    const key = this.hotKey(definition, locale, format)
    const hot = this.getHotFeed(definition, locale, format, key)
    if (hot) return hot
    return this.#counted(await this.#refresh(definition, format, key))
  }

  /**
   * The synchronous half of getFeed: the copy in hand while it is within the freshness bound (no
   * storage request waited for), or undefined when storage has to be asked.
   */
  getHotFeed(
    definition: FeedDefinition,
    locale: Locale,
    format: FeedFormat,
    key = this.hotKey(definition, locale, format),
  ): ServedFeed | undefined {
    const entry = this.#entries.get(key)
    if (!entry || isOutdated(entry.bundle, this.now())) return undefined
    const age = this.now() - entry.validatedAt
    if (age < this.timing.freshMs) {
      this.#hits()
      return entry.hit
    }
    if (age >= this.timing.freshnessBoundMs) return undefined
    // Its failures are met by the next request past the bound; kept alive, as later ones may join it.
    this.keepAlive(this.#refresh(definition, format, key).catch(() => undefined))
    const ageSeconds = Math.floor(age / 1000)
    return this.#counted({ bundle: entry.bundle, stale: true, ageSeconds, outcome: 'stale' })
  }

  /** The hot cache's key of a feed, for callers that look the same feed up often (`getHotFeed`). */
  hotKey(
    definition: FeedDefinition,
    locale: Locale,
    format: FeedFormat,
    audience = primaryAudience(definition),
  ): string {
    return KEYS.rendered(definition.id, locale, format, audience)
  }

  /**
   * Keeps a bundle the write side has just made durable, unless the copy in hand holds a change it
   * lacks (another instance's, read meanwhile): readers of this process never see a story go back.
   */
  remember(key: string, bundle: FeedBundle, storeEtag: string): void {
    const held = this.#entries.get(key)
    if (held && !covers(bundle, held.bundle)) return
    const hit: ServedFeed = Object.freeze({ bundle, stale: false, ageSeconds: 0, outcome: 'hit' })
    this.#entries.set(key, { bundle, storeEtag, validatedAt: this.now(), hit })
  }

  #counted(served: ServedFeed): ServedFeed {
    this.#outcomes(served.outcome)()
    return served
  }

  /**
   * One refresh per feed at a time. A refresh older than twice the storage timeout is not joined: a
   * runtime may drop the work of a request that has been answered (a Worker without waitUntil), and
   * a refresh that will never settle must not hold every later request.
   */
  #refresh(definition: FeedDefinition, format: FeedFormat, key: string): Promise<ServedFeed> {
    const running = this.#refreshes.get(key)
    const now = this.now()
    if (running && now - running.startedAt < 2 * this.timing.storageTimeoutMs) return running.promise
    const promise = this.#read(definition, format, key, this.#entries.get(key))
      .then((served) => this.#newest(key, served))
      .finally(() => {
        if (this.#refreshes.get(key)?.promise === promise) this.#refreshes.delete(key)
      })
    this.#refreshes.set(key, { promise, startedAt: now })
    return promise
  }

  async #read(
    definition: FeedDefinition,
    format: FeedFormat,
    key: string,
    entry: CacheEntry | undefined,
  ): Promise<ServedFeed> {
    try {
      const found = await this.#readStored(key, entry)
      // Unchanged in storage yet past an embargo it holds back: rendered again below.
      if (found === 'unchanged' && entry && !isOutdated(entry.bundle, this.now())) {
        entry.validatedAt = this.now()
        return { bundle: entry.bundle, stale: false, ageSeconds: 0, outcome: 'revalidated' }
      }
      if (found && found !== 'unchanged') {
        this.renderer.observed(key, found)
        const bundle = await this.#usable(definition, key, found.body)
        if (bundle && !isOutdated(bundle, this.now())) {
          this.remember(key, bundle, found.etag)
          return { bundle, stale: false, ageSeconds: 0, outcome: 'miss' }
        }
      }
      const bundle = (await this.renderer.publish(definition)).find(
        (b) => b.format === format && key === this.hotKey(definition, b.locale, b.format, b.audience),
      )
      if (!bundle) throw new Error(`renderer produced no ${format}`)
      return { bundle, stale: false, ageSeconds: 0, outcome: 'rendered' }
    } catch (error) {
      const age = entry ? this.now() - entry.validatedAt : Infinity
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

  /** What a refresh answers, unless the copy in hand now holds a change-log entry it lacks (see `covers`). */
  #newest(key: string, served: ServedFeed): ServedFeed {
    const held = this.#entries.get(key)
    if (!held || held.bundle === served.bundle || covers(served.bundle, held.bundle)) return served
    if (!served.stale) held.validatedAt = this.now()
    return { ...served, bundle: held.bundle }
  }

  /**
   * The stored bundle (or 'unchanged'). A store error on it counts as no bundle: it is a cache of
   * the records and the log, so the feed is rendered from those again (and the key rewritten)
   * rather than answered with a 503; only when they fail too is storage unavailable.
   */
  #readStored(key: string, entry: CacheEntry | undefined): Promise<StoredObject | null | 'unchanged'> {
    const read = entry ? this.store.getIfChanged(key, entry.storeEtag) : this.store.get(key)
    // A store that does not answer in time is unavailable as a whole: no render is piled onto it.
    return this.#withTimeout(
      read.catch((error: unknown) => {
        if (!(error instanceof StorageUnavailableError)) throw error
        this.#damage.report(key, 'stored feed could not be read; rendering it again', error.message)
        return null
      }),
    )
  }

  /** The stored bundle when it is whole, of this feed and rendered with today's settings; else null. */
  async #usable(definition: FeedDefinition, key: string, body: Bytes): Promise<FeedBundle | null> {
    const bundle = decodeBundle(body)
    const whole =
      bundle !== null &&
      key === this.hotKey(definition, bundle.locale, bundle.format, bundle.audience) &&
      // Bytes changed in storage (a bit flip, a partial overwrite) no longer match their own ETag.
      (await strongEtag(bundle.variants.identity.body)) === bundle.variants.identity.etag
    if (!whole) {
      this.#damage.report(key, 'stored feed is damaged; rendering it again')
      return null
    }
    this.#damage.healthy(key)
    if (bundle.renderedWith !== (await this.renderer.renderKey(definition))) {
      this.logger.info('stored feed was rendered with other settings; rendering again', { key })
      return null
    }
    return bundle
  }

  #withTimeout<T>(promise: Promise<T>): Promise<T> {
    const ms = this.timing.storageTimeoutMs
    const late = () => new StorageUnavailableError(`storage did not answer within ${ms} ms`)
    return withTimeout(promise, ms, late)
  }
}
