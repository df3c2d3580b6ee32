import { primaryAudience, type AudienceKey } from '../domain/audience.ts'
import type { FeedDefinition, FeedFormat } from '../domain/feed-definition.ts'
import type { Locale } from '../domain/locale.ts'
import { StorageUnavailableError, type ObjectStore } from '../ports/object-store.ts'
import type { Clock } from '../ports/observability.ts'
import { decodeBundle, isOutdated, type FeedBundle } from './feed-bundle.ts'
import type { FeedCache, FeedRenderer, ServedFeed } from './feed-cache.ts'
import { withTimeout } from './single-flight.ts'

/** A feed's hot cache keys for one audience (`FeedCache.hotKey`), for callers that make them once. */
export interface HotKeys {
  primary: string
  audience: string
}

/**
 * Renderings of feeds for audiences other than their primary one (partners' full text, embargoed
 * stories), in memory beside the feed cache. A copy is current while it was made from the state the
 * feed's primary rendering (kept fresh by the feed cache) was made from: any process that publishes
 * the feed rewrites the primary one, so a copy made before is seen to be out of date everywhere. An
 * audience asked for here is rendered by every later publish of this process.
 */
export class VariantCache {
  readonly #entries = new Map<string, FeedBundle>()
  readonly #refreshes = new Map<string, Promise<ServedFeed>>()

  constructor(
    private readonly store: ObjectStore,
    private readonly renderer: FeedRenderer,
    private readonly feeds: FeedCache,
    private readonly now: Clock,
    private readonly storageTimeoutMs: number,
  ) {}

  /** Keeps a rendering the write side has just made durable. */
  remember(key: string, bundle: FeedBundle): void {
    this.#entries.set(key, bundle)
  }

  /** The synchronous half of `getFeed`: the copy in hand when it is current, else undefined. */
  getHotFeed(
    definition: FeedDefinition,
    locale: Locale,
    format: FeedFormat,
    audience: AudienceKey,
    keys?: HotKeys,
  ): ServedFeed | undefined {
    const primary = this.feeds.getHotFeed(definition, locale, format, keys?.primary)
    if (audience === primaryAudience(definition)) return primary
    const bundle = this.#entries.get(
      keys?.audience ?? this.feeds.hotKey(definition, locale, format, audience),
    )
    if (!primary || !bundle || !this.#current(bundle, primary.bundle)) return undefined
    return { ...primary, bundle }
  }

  /** A feed rendered for an audience: from memory, from storage when current, or rendered now. */
  async getFeed(
    definition: FeedDefinition,
    locale: Locale,
    format: FeedFormat,
    audience: AudienceKey,
  ): Promise<ServedFeed> {
    if (audience === primaryAudience(definition)) return this.feeds.getFeed(definition, locale, format)
    const hot = this.getHotFeed(definition, locale, format, audience)
    if (hot) return hot
    const primary = await this.feeds.getFeed(definition, locale, format)
    const key = this.feeds.hotKey(definition, locale, format, audience)
    let refresh = this.#refreshes.get(key)
    if (!refresh) {
      const started = this.#read(definition, locale, format, audience, primary)
      refresh = started.finally(() => {
        if (this.#refreshes.get(key) === refresh) this.#refreshes.delete(key)
      })
      this.#refreshes.set(key, refresh)
    }
    return refresh
  }

  async #read(
    definition: FeedDefinition,
    locale: Locale,
    format: FeedFormat,
    audience: AudienceKey,
    primary: ServedFeed,
  ): Promise<ServedFeed> {
    const key = this.feeds.hotKey(definition, locale, format, audience)
    const ms = this.storageTimeoutMs
    const found = await withTimeout(
      this.store.get(key),
      ms,
      () => new StorageUnavailableError(`storage did not answer within ${ms} ms`),
    )
    const stored = found && decodeBundle(found.body)
    if (stored && this.#current(stored, primary.bundle)) {
      this.remember(key, stored)
      return { ...primary, bundle: stored, outcome: 'miss' }
    }
    const bundles = await this.renderer.publish(definition, [], locale, audience)
    const bundle = bundles.find((b) => b.format === format && b.audience === audience)
    if (!bundle) throw new Error(`renderer produced no ${audience} ${format}`)
    return { bundle, stale: false, ageSeconds: 0, outcome: 'rendered' }
  }

  /** Whether a rendering was made from the state (and with the settings) of the primary one. */
  #current(bundle: FeedBundle, primary: FeedBundle): boolean {
    return (
      bundle.source !== undefined &&
      bundle.source === primary.source &&
      bundle.renderedWith === primary.renderedWith &&
      !isOutdated(bundle, this.now())
    )
  }
}
