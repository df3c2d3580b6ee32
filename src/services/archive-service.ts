import {
  archiveLayout,
  updateLayout,
  type ArchiveLayout,
  type ArchiveMonth,
} from '../domain/archive-layout.ts'
import { publicAudience } from '../domain/audience.ts'
import { CONTENT_TYPE, type FeedDefinition, type FeedFormat } from '../domain/feed-definition.ts'
import { LANGUAGE_TAG, type Locale } from '../domain/locale.ts'
import { BoundedCache } from '../domain/bounded-cache.ts'
import type { Clock } from '../ports/observability.ts'
import { ArchiveStories, type StoryMap } from './archive-stories.ts'
import { compressVariants } from './feed-bundle.ts'
import type { FeedService } from './feed-service.ts'
import type { RenderedPage } from './page-service.ts'
import { RenderedItems, renderFeedFormats } from './render-feed.ts'

/**
 * Archives are history: caches keep them a day, and ask again after (a correction of an archived
 * story reaches them then; its ETag tells them cheaply whether anything changed).
 */
const ARCHIVE_CACHE_CONTROL = 'public, max-age=86400, must-revalidate'

/** Archive documents kept rendered at once (each in three formats and their codings). */
const DOCUMENTS_MAX = 500

/** What a request for an archive month finds. */
export type ArchiveAnswer =
  | { kind: 'document'; page: RenderedPage }
  | { kind: 'none' }
  | { kind: 'outside'; first: string; last: string }

/** A locale's stories as last looked up (a listing, then the change log). */
interface LocaleStories {
  checkedAt: number
  /** When the locale's versions were last listed whole. */
  listedAt: number
  stories: Promise<StoryMap>
  /** The stories once read: what a synchronous hot answer needs. */
  resolved?: StoryMap
  /** Set once the listing is read: this copy may then serve while the next listing runs. */
  ready?: boolean
  refreshing?: boolean
}

/**
 * RFC 5005 archive documents, rendered lazily: nothing at republish. A locale's stories are listed
 * once, then followed in the change log (at most once per `freshMs` per process, one refresh shared
 * by every feed and request of the locale; see `ArchiveStories`); a feed's months are laid out once
 * per change of its stories, moving only the changed ones, and a month is rendered in every format
 * once per content version (its stories' versions, tombstones and links), compressed once. So a
 * month's ETag changes only when a story in it changes, or its links move.
 */
export class ArchiveService {
  readonly #locales = new Map<Locale, LocaleStories>()
  readonly #stories: ArchiveStories
  /** Per state of a locale's stories, the layout of each feed (computed once per change). */
  readonly #layouts = new WeakMap<StoryMap, Map<string, ArchiveLayout>>()
  readonly #documents = new BoundedCache<
    string,
    {
      version: string
      pages: Promise<Record<FeedFormat, RenderedPage>>
      ready?: Record<FeedFormat, RenderedPage>
    }
  >({ maxEntries: DOCUMENTS_MAX })
  readonly #renderedItems = new RenderedItems()
  /** Each month of a layout with its document once rendered: the hot path's lookups, no LRU touch. */
  readonly #rendered = new WeakMap<ArchiveMonth, { ready?: Record<FeedFormat, RenderedPage> }>()

  constructor(
    private readonly feeds: FeedService,
    private readonly now: Clock,
  ) {
    this.#stories = new ArchiveStories(feeds)
  }

  /** The archive of a public feed for `month`, or why there is none. */
  async month(
    definition: FeedDefinition,
    locale: Locale,
    month: string,
    format: FeedFormat,
  ): Promise<ArchiveAnswer> {
    const layout = await this.layout(definition, locale)
    const found = layout.months.get(month)
    if (!found) {
      return layout.first === undefined || layout.last === undefined
        ? { kind: 'none' }
        : { kind: 'outside', first: layout.first, last: layout.last }
    }
    const key = `${definition.id}/${locale}/${month}`
    let document = this.#documents.get(key)
    if (!document || document.version !== found.version) {
      const pages = this.#render(definition, locale, found)
      const made: { version: string; pages: typeof pages; ready?: Record<FeedFormat, RenderedPage> } = {
        version: found.version,
        pages,
      }
      document = made
      pages.then(
        (ready) => (made.ready = ready),
        () => undefined,
      )
      this.#documents.set(key, document)
      pages.catch(() => {
        if (this.#documents.get(key)?.pages === pages) this.#documents.delete(key)
      })
    }
    this.#rendered.set(found, document)
    return { kind: 'document', page: (await document.pages)[format] }
  }

  /** The archive months of a public feed in a locale, from stories at most `freshMs` old. */
  async layout(definition: FeedDefinition, locale: Locale): Promise<ArchiveLayout> {
    const now = this.now()
    const { freshMs, freshnessBoundMs } = this.feeds.timing
    let current = this.#locales.get(locale)
    const age = current ? now - current.checkedAt : Infinity
    if (current?.ready && age >= freshMs && age < freshnessBoundMs) {
      // As hot feeds: served for `freshMs`, then while one refresh runs beside the requests.
      if (!current.refreshing) {
        const stale = current
        stale.refreshing = true
        const next = this.#refresh(locale, stale, now)
        this.feeds.keepAlive(
          next.stories.then(
            () => this.#locales.set(locale, next),
            () => (stale.refreshing = false),
          ),
        )
      }
    } else if (!current || (age >= freshMs && current.ready)) {
      // A refresh under way is shared: every request that finds one waits for it (single-flight).
      const next = this.#refresh(locale, current, now)
      this.#locales.set(locale, next)
      next.stories.catch(() => {
        if (this.#locales.get(locale) === next) this.#locales.delete(locale)
      })
      current = next
    }
    const stories = await current.stories
    let layouts = this.#layouts.get(stories)
    if (!layouts) this.#layouts.set(stories, (layouts = new Map<string, ArchiveLayout>()))
    let layout = layouts.get(definition.id)
    if (!layout) {
      const audience = publicAudience(definition) ?? { body: 'full', embargoed: false }
      // From the layout before the last changes when there is one: only the changed stories move.
      const delta = this.#stories.deltaOf(stories)
      const previous = delta && this.#layouts.get(delta.before)?.get(definition.id)
      layout =
        delta && previous
          ? updateLayout(
              previous,
              definition,
              { before: delta.before, stories },
              delta.changed,
              audience,
              now,
            )
          : archiveLayout(definition, [...stories.values()], audience, now)
      layouts.set(definition.id, layout)
    }
    return layout
  }

  /**
   * A locale's stories brought up to date: from the change log since the last look (and the
   * entries that may have landed late, `2 × STORAGE_TIMEOUT_MS` before it), or from a whole listing
   * when there is none or it is half the log's retention old.
   */
  #refresh(locale: Locale, previous: LocaleStories | undefined, now: number): LocaleStories {
    const { storageTimeoutMs, changeLogMs } = this.feeds.timing
    const incremental = previous !== undefined && now - previous.listedAt < changeLogMs / 2
    const stories = incremental
      ? previous.stories.then((known) =>
          this.#stories.since(locale, known, previous.checkedAt - 2 * storageTimeoutMs, now),
        )
      : this.#stories.all(locale)
    const next: LocaleStories = { checkedAt: now, listedAt: incremental ? previous.listedAt : now, stories }
    stories.then(
      (resolved) => {
        next.ready = true
        next.resolved = resolved
      },
      () => undefined,
    )
    return next
  }

  /**
   * The synchronous half of `month`: the document in hand when the locale's stories were looked up
   * less than `freshMs` ago and the month is rendered at their versions; else undefined (the app
   * then answers through `month`).
   */
  hotMonth(
    definition: FeedDefinition,
    locale: Locale,
    month: string,
    format: FeedFormat,
  ): RenderedPage | undefined {
    const current = this.#locales.get(locale)
    if (!current?.resolved || this.now() - current.checkedAt >= this.feeds.timing.freshMs) return undefined
    const found = this.#layouts.get(current.resolved)?.get(definition.id)?.months.get(month)
    return found && this.#rendered.get(found)?.ready?.[format]
  }

  async #render(
    definition: FeedDefinition,
    locale: Locale,
    month: ArchiveMonth,
  ): Promise<Record<FeedFormat, RenderedPage>> {
    const rendered = await renderFeedFormats({
      definition: { ...definition, limit: Number.MAX_SAFE_INTEGER },
      locale,
      articles: month.items,
      tombstones: month.tombstones,
      settings: this.feeds.settings,
      renderedItems: this.#renderedItems,
      audience: publicAudience(definition),
      now: this.now(),
      history: { month: month.month, prev: month.prev, next: month.next },
    })
    const pages = {} as Record<FeedFormat, RenderedPage>
    await Promise.all(
      rendered.map(async (feed) => {
        pages[feed.format] = {
          contentType: CONTENT_TYPE[feed.format],
          language: LANGUAGE_TAG[locale],
          // An empty month changed when its links did; its first instant stands for that.
          lastModified: Math.max(feed.lastModified, Date.parse(`${month.month}-01T00:00:00Z`)),
          cacheControl: ARCHIVE_CACHE_CONTROL,
          variants: await compressVariants(feed.body, feed.etag),
        }
      }),
    )
    return pages
  }
}
