import type { FeedDefinition } from '../domain/feed-definition.ts'
import type { Locale } from '../domain/locale.ts'
import { RESOURCES } from '../i18n/translator.ts'
import type { PublicationSettings, TranslationIndex } from '../render/feed-model.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { LogEntry } from './change-log.ts'
import { bundleRenderedFeed, encodeBundle, type FeedBundle } from './feed-bundle.ts'
import type { LocaleState, Materializer } from './materializer.ts'
import type { Clock, Telemetry } from '../ports/observability.ts'
import { RENDERER_VERSION, RenderedItems, renderFeedFormats, strongEtag } from './render-feed.ts'
import { allSettled, Coalescer } from './single-flight.ts'
import { KEYS } from './storage-keys.ts'

const encoder = new TextEncoder()

/** Told of every bundle once it is durable, with the store's ETag of it (the read side keeps it hot). */
export type OnStored = (key: string, bundle: FeedBundle, storeEtag: string) => void

/**
 * Renders feeds and stores them: advances a feed's snapshots (the materializer), renders every
 * locale in every format (each item links its translations, so the locales are rendered together),
 * and stores the bundles and the snapshots that are due. One run at a time per feed in this
 * process; callers arriving meanwhile share the next run, which covers the entries they wrote.
 */
export class FeedPublisher {
  readonly #runs = new Coalescer<FeedBundle[]>()
  /** Entries written by callers waiting for a feed's next run. */
  readonly #pending = new Map<string, LogEntry[]>()
  // One per catalogue feed: finite by construction.
  readonly #renderKeys = new Map<string, Promise<string>>()
  /** Items rendered by earlier renders, reused by the next ones (the settings never change). */
  readonly #renderedItems = new RenderedItems()

  constructor(
    private readonly store: ObjectStore,
    private readonly materializer: Materializer,
    readonly settings: PublicationSettings,
    private readonly now: Clock,
    private readonly onStored: OnStored,
    private readonly telemetry?: Telemetry,
  ) {}

  /**
   * Brings a feed up to date with the change log, `written` (the entries the caller appended)
   * included, and resolves when every bundle is durable. With `locale`, returns only its bundles.
   */
  async publish(
    definition: FeedDefinition,
    written: readonly LogEntry[] = [],
    locale?: Locale,
  ): Promise<FeedBundle[]> {
    const pending = this.#pending.get(definition.id)
    if (pending) pending.push(...written)
    else this.#pending.set(definition.id, [...written])
    const bundles = await this.#runs.run(definition.id, () => {
      const entries = this.#pending.get(definition.id) ?? []
      this.#pending.delete(definition.id)
      return this.#run(definition, entries)
    })
    return locale ? bundles.filter((b) => b.locale === locale) : bundles
  }

  /** What, besides the articles, a feed's bytes depend on; computed once per feed. */
  renderKey(definition: FeedDefinition): Promise<string> {
    let key = this.#renderKeys.get(definition.id)
    if (!key) {
      const texts = definition.locales.map((locale) => RESOURCES[locale].feeds)
      const inputs = JSON.stringify({ RENDERER_VERSION, settings: this.settings, definition, texts })
      key = strongEtag(encoder.encode(inputs)).then((tag) => `${RENDERER_VERSION}-${tag.slice(1, -1)}`)
      this.#renderKeys.set(definition.id, key)
    }
    return key
  }

  async #run(definition: FeedDefinition, written: readonly LogEntry[]): Promise<FeedBundle[]> {
    let bundles: FeedBundle[] = []
    // Another process may write between our read of the log and our write; read the log again after
    // writing and go round once more if it holds anything we missed (no conditional writes needed).
    for (let round = 0; round < 3; round++) {
      // A republish brings its own entries: the first round renders from memory and them (the
      // check after writing lists the log); a further round lists the log before rendering.
      const states = await this.materializer.advance(definition, written, round === 0 && written.length > 0)
      bundles = await this.#renderAndStore(definition, states, written)
      if (!(await this.materializer.missedAny(states, this.materializer.mark()))) break
    }
    return bundles
  }

  /**
   * Renders each locale and sends its bundles (and its snapshot when due) to storage at once, so
   * that storage works on one locale while the next is rendered; resolves when all are durable.
   */
  async #renderAndStore(
    definition: FeedDefinition,
    states: readonly LocaleState[],
    written: readonly LogEntry[],
  ): Promise<FeedBundle[]> {
    const started = this.now()
    // Rendering may start while the changes are being stored, but a feed never reaches storage
    // before what it shows is durable in the change log.
    const durable = allSettled(written.map((entry) => entry.durable))
    durable.catch(() => undefined) // reported through the writes below
    const translations = translationIndex(states)
    const renderedWith = await this.renderKey(definition)
    const bundles: FeedBundle[] = []
    const writes: Promise<unknown>[] = []
    for (const state of states) {
      const rendered = await renderFeedFormats({
        definition,
        locale: state.locale,
        articles: state.snapshot.items,
        tombstones: state.snapshot.tombstones,
        settings: this.settings,
        translations,
        renderedItems: this.#renderedItems,
      })
      const own = rendered.map((feed) => bundleRenderedFeed(feed, renderedWith))
      bundles.push(...own)
      const stored = durable.then(() =>
        allSettled([
          ...own.map((bundle) => this.#store(bundle)),
          this.materializer.checkpoint(definition.id, state),
        ]),
      )
      // Awaited below; a write that fails early must not count as unhandled meanwhile.
      stored.catch(() => undefined)
      writes.push(stored)
    }
    this.telemetry?.observe('silkfeed_render_seconds', (this.now() - started) / 1000, { feed: definition.id })
    await allSettled(writes)
    this.materializer.remember(definition.id, states)
    return bundles
  }

  async #store(bundle: FeedBundle): Promise<void> {
    const key = KEYS.rendered(bundle.feedId, bundle.locale, bundle.format)
    const { etag } = await this.store.put(key, encodeBundle(bundle), {
      contentType: 'application/vnd.silkfeed.bundle',
      metadata: {
        'feed-etag': bundle.variants.identity.etag,
        'last-modified': new Date(bundle.lastModified).toISOString(),
        'item-count': String(bundle.itemCount),
      },
    })
    this.onStored(key, bundle, etag)
  }
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
