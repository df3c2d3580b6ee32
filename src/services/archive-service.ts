import {
  archiveLayout,
  type ArchiveLayout,
  type ArchiveMonth,
  type ArchiveStory,
} from '../domain/archive-layout.ts'
import { publicAudience } from '../domain/audience.ts'
import { CONTENT_TYPE, type FeedDefinition, type FeedFormat } from '../domain/feed-definition.ts'
import { LANGUAGE_TAG, type Locale } from '../domain/locale.ts'
import { BoundedCache } from '../domain/bounded-cache.ts'
import type { Clock } from '../ports/observability.ts'
import { REPOSITORY_CONCURRENCY, type StoryState } from './article-repository.ts'
import { compressVariants } from './feed-bundle.ts'
import type { FeedService } from './feed-service.ts'
import type { RenderedPage } from './page-service.ts'
import { RenderedItems, renderFeedFormats } from './render-feed.ts'
import { mapWithLimit } from './single-flight.ts'
import { RETRACTED_SUFFIX } from './storage-keys.ts'

/**
 * Archives are history: caches keep them a day, and ask again after (a correction of an archived
 * story reaches them then; its ETag tells them cheaply whether anything changed).
 */
const ARCHIVE_CACHE_CONTROL = 'public, max-age=86400, must-revalidate'

/** Archive documents kept rendered at once (each in three formats and their codings). */
const DOCUMENTS_MAX = 500
/** Stored versions kept read, so a new listing reads only what changed. */
const VERSIONS_MAX = 200_000

/** What a request for an archive month finds. */
export type ArchiveAnswer =
  | { kind: 'document'; page: RenderedPage }
  | { kind: 'none' }
  | { kind: 'outside'; first: string; last: string }

/** A locale's stories as one listing found them, and the layouts computed from it per feed. */
interface LocaleStories {
  checkedAt: number
  stories: Promise<ArchiveStory[]>
  layouts: Map<string, ArchiveLayout>
}

/**
 * RFC 5005 archive documents, rendered lazily: nothing at republish. A request lists the locale's
 * story versions (at most once per `freshMs` per process, shared by every feed and request), reads
 * only versions it has not read before, lays the feed's archived stories out by month, and renders a
 * month in every format once per content version (its stories' versions, tombstones and links),
 * compressed once. So a month's ETag changes only when a story in it changes, or its links move.
 */
export class ArchiveService {
  readonly #locales = new Map<Locale, LocaleStories>()
  readonly #states = new BoundedCache<string, Promise<StoryState>>({ maxEntries: VERSIONS_MAX })
  readonly #documents = new BoundedCache<
    string,
    { version: string; pages: Promise<Record<FeedFormat, RenderedPage>> }
  >({ maxEntries: DOCUMENTS_MAX })
  readonly #renderedItems = new RenderedItems()

  constructor(
    private readonly feeds: FeedService,
    private readonly now: Clock,
  ) {}

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
      document = { version: found.version, pages }
      this.#documents.set(key, document)
      pages.catch(() => {
        if (this.#documents.get(key)?.pages === pages) this.#documents.delete(key)
      })
    }
    return { kind: 'document', page: (await document.pages)[format] }
  }

  /** The archive months of a public feed in a locale, from stories at most `freshMs` old. */
  async layout(definition: FeedDefinition, locale: Locale): Promise<ArchiveLayout> {
    const known = this.#locales.get(locale)
    const now = this.now()
    let current = known
    if (!current || now - current.checkedAt >= this.feeds.timing.freshMs) {
      current = { checkedAt: now, stories: this.#list(locale), layouts: new Map() }
      this.#locales.set(locale, current)
      const listed = current
      listed.stories.catch(() => {
        if (this.#locales.get(locale) === listed) this.#locales.delete(locale)
      })
    }
    const stories = await current.stories
    let layout = current.layouts.get(definition.id)
    if (!layout) {
      const audience = publicAudience(definition) ?? { body: 'full', embargoed: false }
      layout = archiveLayout(definition, stories, audience, now)
      current.layouts.set(definition.id, layout)
    }
    return layout
  }

  /** Every story of a locale at its newest version: one listing, then the versions not read before. */
  async #list(locale: Locale): Promise<ArchiveStory[]> {
    const keys = await this.feeds.articles.versionKeys(locale)
    const byStory = new Map<string, string[]>()
    for (const key of keys) {
      const folder = key.slice(0, key.lastIndexOf('/'))
      const versions = byStory.get(folder)
      if (versions) versions.push(key)
      else byStory.set(folder, [key])
    }
    // A retracted story is read with the version it pulled: that version says its month and sections.
    const wanted = [...byStory.values()].map((versions) => {
      const head = versions.at(-1)!
      const pulled = head.endsWith(`${RETRACTED_SUFFIX}.json`)
        ? versions.findLast((k) => !k.endsWith(`${RETRACTED_SUFFIX}.json`))
        : undefined
      return { head, pulled }
    })
    const found = await mapWithLimit(wanted, REPOSITORY_CONCURRENCY, async ({ head, pulled }) => {
      const [state, before] = await Promise.all([this.#state(head), pulled ? this.#state(pulled) : null])
      if (state?.kind === 'live') return [{ kind: 'live' as const, key: head, record: state.record }]
      if (state?.kind !== 'retracted' || before?.kind !== 'live') return []
      const { at, reason } = state
      return [{ kind: 'retracted' as const, key: head, at, pulled: before.record, ...(reason && { reason }) }]
    })
    return found.flat()
  }

  /** A stored version, read once per process (versions are never overwritten). */
  #state(key: string): Promise<StoryState> {
    let state = this.#states.get(key)
    if (!state) {
      state = this.feeds.articles.state(key)
      this.#states.set(key, state)
      state.catch(() => this.#states.delete(key))
    }
    return state
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
    for (const feed of rendered) {
      pages[feed.format] = {
        contentType: CONTENT_TYPE[feed.format],
        language: LANGUAGE_TAG[locale],
        // An empty month changed when its links did; its first instant stands for that.
        lastModified: Math.max(feed.lastModified, Date.parse(`${month.month}-01T00:00:00Z`)),
        cacheControl: ARCHIVE_CACHE_CONTROL,
        variants: compressVariants(feed.body, feed.etag),
      }
    }
    return pages
  }
}
