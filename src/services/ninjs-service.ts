import { isEmbargoed } from '../domain/embargo.ts'
import { embargoOf, type Article } from '../domain/article.ts'
import { publicAudience, publicStoryAudience, type Audience } from '../domain/audience.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import { LANGUAGE_TAG, LOCALES, type Locale } from '../domain/locale.ts'
import { translatorFor } from '../i18n/translator.ts'
import {
  NINJS_CONTENT_TYPE,
  renderCanceledItem,
  renderNinjsFeed,
  renderNinjsItem,
  type Translation,
} from '../render/ninjs.ts'
import type { Clock } from '../ports/observability.ts'
import { storyKey } from './article-repository.ts'
import { compressVariants, type FeedBundle } from './feed-bundle.ts'
import type { FeedService } from './feed-service.ts'
import type { RenderedPage } from './page-service.ts'
import { strongEtag } from './render-feed.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const LOCALE_OF_TAG = new Map(LOCALES.map((locale) => [LANGUAGE_TAG[locale], locale]))
/** Items kept rendered at once; the cache is emptied when it is full. */
const ITEMS_MAX = 2000

/**
 * An item as last rendered: for the story's versions in every locale, when storage was last asked,
 * and, for an item that was not yet public (under embargo), the instant it becomes so.
 */
interface KnownItem {
  version: string
  checkedAt: number
  page: Promise<RenderedPage | null>
  /** The embargo the page's absence stands for: it is never served at or after this instant. */
  releasedAt?: number
}

/** An item of a stored JSON Feed bundle, as far as a ninjs list needs it. */
interface FeedEntry {
  id: string
  translations: Translation[]
}

/**
 * IPTC ninjs 3.1 documents as the public may read them: a feed's window as a list, and a story in a
 * locale as an item, full or partial as the public feeds show it (none when none does). Each is
 * rendered once per content version (a feed's JSON bundle; an item's versions in every locale) and
 * compressed once, like the pages; a hot item asks storage again after `freshMs`.
 */
export class NinjsService {
  readonly #feeds = new Map<string, { version: string; page: Promise<RenderedPage> }>()
  readonly #items = new Map<string, KnownItem>()
  readonly #cacheControl: string

  constructor(
    private readonly feeds: FeedService,
    private readonly now: Clock,
  ) {
    const policies = feeds.feeds.all.map((d) => d.cache)
    const min = (pick: (p: FeedDefinition['cache']) => number) => Math.min(...policies.map(pick))
    this.#cacheControl = `public, max-age=${min((p) => p.maxAge)}, stale-while-revalidate=${min((p) => p.staleWhileRevalidate)}, stale-if-error=${min((p) => p.staleIfError)}`
  }

  /**
   * `/{locale}/{feed}.ninjs.json`: the stories of the feed's JSON Feed, newest first, as ninjs items
   * with the text the feed gives the public (an excerpt feed's are partial). Only for public feeds.
   */
  async feedList(definition: FeedDefinition, locale: Locale): Promise<RenderedPage> {
    const audience = publicAudience(definition)
    if (!audience) throw new Error(`feed ${definition.id} is for partners only: it has no public list`)
    const { bundle } = await this.feeds.getFeed(definition, locale, 'json')
    // The text a list carries is part of its key: a partial and a full list never share an entry.
    const key = `${definition.id}/${locale}/${audience.body}`
    const known = this.#feeds.get(key)
    if (known && known.version === bundle.variants.identity.etag) return known.page
    const page = this.#renderFeed(definition, locale, bundle, audience.body)
    this.#feeds.set(key, { version: bundle.variants.identity.etag, page })
    page.catch(() => {
      if (this.#feeds.get(key)?.page === page) this.#feeds.delete(key)
    })
    return page
  }

  /**
   * `/{locale}/items/{id}.ninjs.json`, or null when the story was never stored in that locale or no
   * public feed of the locale carries it. What the item carries follows from its version (the
   * record's sections) and the catalogue, so the version that keys the cache keys its text too.
   */
  async item(locale: Locale, id: string): Promise<RenderedPage | null> {
    const key = `${locale}/${id}`
    const now = this.now()
    // An absence under embargo holds until the release, never past it, whatever storage says.
    const held = this.#items.get(key)
    const known = held && (held.releasedAt === undefined || now < held.releasedAt) ? held : undefined
    if (known && now - known.checkedAt < this.feeds.timing.freshMs) return known.page
    const heads = await this.feeds.articles.heads(LOCALES.map((l) => ({ locale: l, id })))
    const own = heads.get(storyKey({ locale, id }))
    if (!own) {
      this.#items.delete(key)
      return null
    }
    const version = LOCALES.map((l) => heads.get(storyKey({ locale: l, id }))?.key ?? '').join(' ')
    if (known && known.version === version) {
      known.checkedAt = now
      return known.page
    }
    const others = LOCALES.flatMap((l) => {
      const head = heads.get(storyKey({ locale: l, id }))
      return l !== locale && head?.kind === 'live' ? [head.key] : []
    })
    const entry: KnownItem = { version, checkedAt: now, page: Promise.resolve(null) }
    entry.page = (async () => {
      const records = await Promise.all(others.map((k) => this.feeds.articles.record(k)))
      // A translation the public cannot read in its locale is neither linked nor named.
      const live = records.filter((r): r is Article => r !== null && this.#audienceOf(r) !== undefined)
      const translations = live.map((r) => ({ locale: r.locale, title: r.title, url: r.url }))
      const context = { locale, settings: this.feeds.settings, t: translatorFor(locale), translations }
      if (own.kind === 'retracted') {
        // Pulled under embargo, or only ever in feeds the public does not read: the public never
        // saw the story, and never learns it existed.
        const stored = await this.feeds.articles.stateWithPulled(own.key)
        const unseen =
          stored?.kind === 'retracted' && (stored.embargoed || !this.#audienceOf(stored.pulled?.record))
        if (unseen) return null
        const pulled = own.key.slice(own.key.lastIndexOf('/') + 1, -'.json'.length)
        return this.#encode(renderCanceledItem(id, own.at, pulled, context), locale, Date.parse(own.at))
      }
      const record = await this.feeds.articles.record(own.key)
      if (!record) throw new Error(`stored version ${own.key} is gone`)
      // Under embargo a story is no public document's: unknown until its release.
      if (isEmbargoed(record, now)) {
        entry.releasedAt = embargoOf(record)
        return null
      }
      const audience = this.#audienceOf(record)
      if (!audience) return null
      const changed = Math.max(...[record, ...live].map((r) => Date.parse(r.updatedAt ?? r.publishedAt)))
      return this.#encode(renderNinjsItem(record, own.version, context, audience.body), locale, changed)
    })()
    const { page } = entry
    if (this.#items.size >= ITEMS_MAX) this.#items.clear()
    this.#items.set(key, entry)
    page.catch(() => {
      if (this.#items.get(key)?.page === page) this.#items.delete(key)
    })
    return page
  }

  /** What the public may read of a stored version in its locale: the best public feed carrying it. */
  #audienceOf(record: Article | undefined): Audience | undefined {
    return record && publicStoryAudience(this.feeds.feeds.all, record.locale, record)
  }

  async #renderFeed(
    definition: FeedDefinition,
    locale: Locale,
    bundle: FeedBundle,
    body: Audience['body'],
  ): Promise<RenderedPage> {
    const entries = entriesOf(bundle)
    const states = await this.feeds.articles.currents(entries.map(({ id }) => ({ locale, id })))
    const t = translatorFor(locale)
    const settings = this.feeds.settings
    const now = this.now()
    // A story pulled (or given a newer version under embargo) since the bundle was rendered leaves
    // the list now; its bundle follows.
    const items = entries.flatMap(({ id, translations }) => {
      const state = states.get(storyKey({ locale, id }))
      if (state?.kind !== 'live' || isEmbargoed(state.record, now)) return []
      return [renderNinjsItem(state.record, state.version, { locale, settings, t, translations }, body)]
    })
    const document = renderNinjsFeed(definition, { locale, settings, t }, items)
    return this.#encode(document, locale, bundle.lastModified)
  }

  async #encode(document: object, locale: Locale, lastModified: number): Promise<RenderedPage> {
    const body = encoder.encode(`${JSON.stringify(document, null, 2)}\n`)
    return {
      contentType: NINJS_CONTENT_TYPE,
      language: LANGUAGE_TAG[locale],
      lastModified,
      cacheControl: this.#cacheControl,
      variants: await compressVariants(body, await strongEtag(body)),
    }
  }
}

/** The stories of a JSON Feed bundle in its order, with the translations each item links. */
function entriesOf(bundle: FeedBundle): FeedEntry[] {
  const feed = JSON.parse(decoder.decode(bundle.variants.identity.body)) as {
    items: { id: string; _silkfeed?: { translations?: { language: string; url: string; title: string }[] } }[]
  }
  return feed.items.flatMap((item) => {
    // Item ids are `tag:<authority>:article/<story id>/<locale>`; story ids hold no slash.
    const match = /:article\/([^/]+)\/[^/]+$/.exec(item.id)
    if (!match) return []
    const translations = (item._silkfeed?.translations ?? []).flatMap((tr) => {
      const other = LOCALE_OF_TAG.get(tr.language)
      return other ? [{ locale: other, title: tr.title, url: tr.url }] : []
    })
    return [{ id: match[1]!, translations }]
  })
}
