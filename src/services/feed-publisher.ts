import { audienceOf, primaryAudience, type AudienceKey } from '../domain/audience.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import type { Locale } from '../domain/locale.ts'
import type { PublicationSettings } from '../render/feed-model.ts'
import { PreconditionFailedError, StorageUnavailableError, type ObjectStore } from '../ports/object-store.ts'
import type { LogEntry } from './change-log.ts'
import {
  bundleRenderedFeed,
  decodeBundle,
  encodeBundle,
  holdsEntries,
  type FeedBundle,
} from './feed-bundle.ts'
import type { LocaleState, Materializer } from './materializer.ts'
import type { Clock, Telemetry } from '../ports/observability.ts'
import { RenderedItems, renderFeedFormats } from './render-feed.ts'
import { feedOfKey, renderKeyOf, sourceOf, translationIndex } from './render-sources.ts'
import { allSettled, Coalescer } from './single-flight.ts'
import { KEYS } from './storage-keys.ts'
import { bundleMetadata, RenderedTags } from './rendered-tags.ts'

/** Renders of a feed per publish: a write refused or a change missed sends it round again. */
const MAX_ROUNDS = 4

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
  /** The store's ETag of each bundle as this process last wrote or read it. */
  readonly #etags = new Map<string, string>()
  /** The store's ETag of each bundle this process wrote last. */
  readonly #written = new Map<string, string>()
  /** Feeds with a bundle another process wrote since this one last read the log for them. */
  readonly #foreign = new Set<string>()
  /** Has the store ever refused a conditional write? Then it keeps to them (AWS S3, R2). */
  #conditional = false
  /** Audiences besides each feed's primary one that readers asked for here: rendered by every run. */
  readonly #requested = new Map<string, Set<AudienceKey>>()
  readonly #tags: RenderedTags

  constructor(
    private readonly store: ObjectStore,
    private readonly materializer: Materializer,
    readonly settings: PublicationSettings,
    private readonly now: Clock,
    private readonly onStored: OnStored,
    private readonly telemetry?: Telemetry,
  ) {
    this.#tags = new RenderedTags(store, (settings.hubs ?? []).length > 0)
  }

  /**
   * Brings a feed up to date with the change log, `written` (the entries the caller appended)
   * included, and resolves when every bundle is durable. With `locale`, returns only its bundles.
   */
  async publish(
    definition: FeedDefinition,
    written: readonly LogEntry[] = [],
    locale?: Locale,
    audience?: AudienceKey,
  ): Promise<FeedBundle[]> {
    if (audience !== undefined && audience !== primaryAudience(definition)) {
      let requested = this.#requested.get(definition.id)
      if (!requested) this.#requested.set(definition.id, (requested = new Set()))
      requested.add(audience)
    }
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
    if (!key) this.#renderKeys.set(definition.id, (key = renderKeyOf(this.settings, definition)))
    return key
  }

  /** The cache read a bundle from storage: its ETag is what this process may overwrite next. */
  observed(key: string, stored: { etag: string; metadata: Record<string, string> }): void {
    this.#etags.set(key, stored.etag)
    this.#tags.learn(key, stored)
    if (this.#written.get(key) !== stored.etag) this.#foreign.add(feedOfKey(key))
  }

  async #run(definition: FeedDefinition, written: readonly LogEntry[]): Promise<FeedBundle[]> {
    let bundles: FeedBundle[] = []
    let refused = false
    this.#tags.begin(definition.id) // what the public read: a bundle is news only if it differs
    // Each bundle is written only over the version seen before the log was read (If-Match): no
    // older render replaces a newer one where the store keeps to conditions; a refused write, or a
    // log read after writing that holds what we missed (stores that ignore them), goes round again.
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const seen = new Map(this.#etags)
      // A republish's first round renders from memory and its own entries (the check after writing
      // lists the log), unless another process wrote the feed since this one last listed the log.
      const trustMemory = round === 0 && written.length > 0 && !this.#foreign.has(definition.id)
      if (!trustMemory) this.#foreign.delete(definition.id)
      // A round after a refusal reads the log anew: the writer that won stored its entries first.
      const after = round > 0 ? this.materializer.mark() : undefined
      const states = await this.materializer.advance(definition, written, trustMemory, after)
      let overwrote: boolean
      ;({ bundles, refused, overwrote } = await this.#renderAndStore(definition, states, written, seen))
      if (refused) continue
      // Where the store keeps to conditions, a write that went through replaced only what was seen
      // before the log was read: nothing of another process can have been lost.
      if (!overwrote || this.#conditional) break
      if (!(await this.materializer.missedAny(states, this.materializer.mark()))) break
    }
    if (refused) {
      throw new StorageUnavailableError(`feed ${definition.id} kept being written by other instances`)
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
    seen: ReadonlyMap<string, string>,
  ): Promise<{ bundles: FeedBundle[]; refused: boolean; overwrote: boolean }> {
    const started = this.now()
    // Rendering may start while the changes are being stored, but a feed never reaches storage
    // before what it shows is durable in the change log.
    const durable = allSettled(written.map((entry) => entry.durable))
    durable.catch(() => undefined) // reported through the writes below
    const translations = translationIndex(states)
    const renderedWith = await this.renderKey(definition)
    const bundles: FeedBundle[] = []
    const writes: Promise<unknown>[] = []
    let refused = false
    let overwrote = false
    const mine = written.map((entry) => entry.key)
    const audiences = [primaryAudience(definition), ...(this.#requested.get(definition.id) ?? [])]
    const now = this.now()
    for (const state of states) {
      const source = sourceOf(state, this.materializer.overlapMs)
      const own: FeedBundle[] = []
      for (const audience of audiences) {
        const rendered = await renderFeedFormats({
          definition,
          locale: state.locale,
          articles: state.snapshot.items,
          tombstones: state.snapshot.tombstones,
          settings: this.settings,
          translations,
          renderedItems: this.#renderedItems,
          audience: audienceOf(audience),
          now,
        })
        own.push(
          ...(await Promise.all(rendered.map((feed) => bundleRenderedFeed(feed, renderedWith, source)))),
        )
      }
      const first = bundles.length
      bundles.push(...own)
      const stored = durable.then(() =>
        allSettled([
          ...own.map((bundle, i) =>
            this.#store(bundle, seen, mine).then((stored) => {
              if (stored === bundle) overwrote = true
              else if (stored) bundles[first + i] = stored
              else refused = true
            }),
          ),
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
    return { bundles, refused, overwrote }
  }

  /**
   * Stores a bundle over the version seen before its render, and returns it. When the store refuses
   * (another process wrote meanwhile), returns what that process stored if it holds `mine` (the
   * entries this run must make visible) and was rendered alike; else null: the run goes round again.
   */
  async #store(
    bundle: FeedBundle,
    seen: ReadonlyMap<string, string>,
    mine: readonly string[],
  ): Promise<FeedBundle | null> {
    const key = KEYS.rendered(bundle.feedId, bundle.locale, bundle.format, bundle.audience)
    const before = seen.get(key)
    await this.#tags.mark(key, bundle)
    let etag: string
    try {
      ;({ etag } = await this.store.put(
        key,
        encodeBundle(bundle),
        { contentType: 'application/vnd.silkfeed.bundle', metadata: bundleMetadata(bundle) },
        before ? { ifMatch: before } : { ifNoneMatch: '*' },
      ))
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error
      this.#conditional = true
      this.#foreign.add(bundle.feedId)
      // Learnt before the next round reads the log, so that round may write over it.
      const current = await this.store.get(key)
      if (!current) {
        this.#etags.delete(key)
        return null
      }
      this.#etags.set(key, current.etag)
      this.#tags.learn(key, current)
      const theirs = decodeBundle(current.body)
      if (!theirs || theirs.renderedWith !== bundle.renderedWith || !holdsEntries(theirs, mine)) return null
      this.onStored(key, theirs, current.etag)
      return theirs
    }
    this.#etags.set(key, etag)
    this.#written.set(key, etag)
    this.#tags.learn(key, { metadata: bundleMetadata(bundle) })
    this.onStored(key, bundle, etag)
    return bundle
  }
}
