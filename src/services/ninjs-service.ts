import { feedCacheControl } from '../domain/cache-control.ts'
import { isEmbargoed } from '../domain/embargo.ts'
import { embargoOf, type Article } from '../domain/article.ts'
import { audienceKey, publicAudience, publicStoryAudience, type Audience } from '../domain/audience.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import { LANGUAGE_TAG, LOCALES, type Locale } from '../domain/locale.ts'
import { translatorFor } from '../i18n/translator.ts'
import { NINJS_CONTENT_TYPE, renderCanceledItem, renderNinjsFeed, renderNinjsItem } from '../render/ninjs.ts'
import type { Clock } from '../ports/observability.ts'
import { storyKey, type StoryHead } from './article-repository.ts'
import { compressVariants, type FeedBundle } from './feed-bundle.ts'
import type { FeedService } from './feed-service.ts'
import { entriesOf, itemView, type ItemView, type Story, type StoryReader } from './ninjs-parts.ts'
import { pagePolicy, type RenderedPage } from './page-service.ts'
import { strongEtag } from './render-feed.ts'

const encoder = new TextEncoder()
/** Stories kept at once; the cache is emptied when it is full. */
const ITEMS_MAX = 2000

/**
 * A story as last read, for its versions in every locale: when storage was last asked, for a version
 * under embargo the instant it is public (never used past it), and its items rendered so far, one
 * per text and translations a reader may read (never one per reader).
 */
interface KnownStory {
  version: string
  checkedAt: number
  story: Promise<Story>
  releasedAt?: number
  pages: Map<string, Promise<RenderedPage>>
}

/**
 * IPTC ninjs 3.1 documents: a feed's window as a list, and a story in a locale as an item, for the
 * public (full or partial as the public feeds show it, none when none does) or for a partner's
 * audience. Each is rendered once per content version (a feed's JSON bundle; an item's versions in
 * every locale) and audience, and compressed once, like the pages; a hot item asks storage again
 * after `freshMs`.
 */
export class NinjsService {
  readonly #feeds = new Map<string, { version: string; page: Promise<RenderedPage> }>()
  readonly #items = new Map<string, KnownStory>()
  readonly #policy: FeedDefinition['cache']
  readonly #cacheControl: string
  readonly #public: StoryReader

  constructor(
    private readonly feeds: FeedService,
    private readonly now: Clock,
  ) {
    this.#policy = pagePolicy(feeds.feeds.all)
    this.#cacheControl = feedCacheControl(this.#policy, undefined, 0)
    this.#public = (story) => publicStoryAudience(feeds.feeds.all, story.locale, story)
  }

  /**
   * `/{locale}/{feed}.ninjs.json`: the stories of the feed's JSON Feed, newest first, as ninjs items
   * with the text the audience reads (the public's by default: only for public feeds; an excerpt
   * audience's are partial; an embargoed audience's carry stories under embargo, with `embargoedUntil`).
   */
  async feedList(definition: FeedDefinition, locale: Locale, audience?: Audience): Promise<RenderedPage> {
    const reader = audience ?? publicAudience(definition)
    if (!reader) throw new Error(`feed ${definition.id} is for partners only: it has no public list`)
    const key = audienceKey(reader)
    const { bundle } = await this.feeds.getFeedFor(definition, locale, 'json', key)
    // The audience is part of the key: a partial and a full list never share an entry.
    const cacheKey = `${definition.id}/${locale}/${key}`
    const known = this.#feeds.get(cacheKey)
    if (known && known.version === bundle.variants.identity.etag) return known.page
    const page = this.#renderFeed(definition, locale, bundle, reader)
    this.#feeds.set(cacheKey, { version: bundle.variants.identity.etag, page })
    page.catch(() => {
      if (this.#feeds.get(cacheKey)?.page === page) this.#feeds.delete(cacheKey)
    })
    return page
  }

  /**
   * `/{locale}/items/{id}.ninjs.json` as `reader` (the public by default) may read it, or null when
   * the story was never stored in that locale or the reader may not read it (no feed it reads there
   * carries it; under embargo, unless it reads embargoed stories). What the item carries follows
   * from its version (the record's sections), the catalogue and the reader's audience, so the
   * version and the audience key its page.
   */
  async item(locale: Locale, id: string, reader: StoryReader = this.#public): Promise<RenderedPage | null> {
    const known = await this.#story(locale, id)
    if (!known) return null
    const story = await known.story
    const seen = itemView(story, reader, this.now())
    if (!seen) return null
    const { others, view } = seen
    let page = known.pages.get(view.key)
    if (!page) {
      const made = this.#renderItem(locale, id, story, others, view)
      known.pages.set(view.key, (page = made))
      made.catch(() => {
        if (known.pages.get(view.key) === made) known.pages.delete(view.key)
      })
    }
    return page
  }

  /** The story as stored now (read again after `freshMs`, or at its release), or null when there is none. */
  async #story(locale: Locale, id: string): Promise<KnownStory | null> {
    const key = `${locale}/${id}`
    const now = this.now()
    // A version under embargo holds until its release, never past it, whatever storage says.
    const held = this.#items.get(key)
    const known = held && (held.releasedAt === undefined || now < held.releasedAt) ? held : undefined
    if (known && now - known.checkedAt < this.feeds.timing.freshMs) return known
    const heads = await this.feeds.articles.heads(LOCALES.map((l) => ({ locale: l, id })))
    const own = heads.get(storyKey({ locale, id }))
    if (!own) {
      this.#items.delete(key)
      return null
    }
    const version = LOCALES.map((l) => heads.get(storyKey({ locale: l, id }))?.key ?? '').join(' ')
    if (known && known.version === version) {
      known.checkedAt = now
      return known
    }
    const others = LOCALES.flatMap((l) => {
      const head = heads.get(storyKey({ locale: l, id }))
      return l !== locale && head?.kind === 'live' ? [head.key] : []
    })
    const entry: KnownStory = {
      version,
      checkedAt: now,
      story: Promise.resolve({} as Story),
      pages: new Map(),
    }
    entry.story = this.#load(entry, own, others)
    if (this.#items.size >= ITEMS_MAX) this.#items.clear()
    this.#items.set(key, entry)
    entry.story.catch(() => {
      if (this.#items.get(key) === entry) this.#items.delete(key)
    })
    return entry
  }

  async #load(entry: KnownStory, own: NonNullable<StoryHead>, otherKeys: string[]): Promise<Story> {
    const { articles } = this.feeds
    const records = await Promise.all(otherKeys.map((k) => articles.record(k)))
    const others = records.filter((r): r is Article => r !== null)
    if (own.kind === 'retracted') {
      const stored = await articles.stateWithPulled(own.key)
      const version = own.key.slice(own.key.lastIndexOf('/') + 1, -'.json'.length)
      const pulled =
        stored?.kind === 'retracted'
          ? { record: stored.pulled?.record, embargoed: stored.embargoed === true }
          : undefined
      return { kind: 'canceled', at: own.at, version, pulled, others }
    }
    const record = await articles.record(own.key)
    if (!record) throw new Error(`stored version ${own.key} is gone`)
    if (isEmbargoed(record, this.now())) entry.releasedAt = embargoOf(record)
    return { kind: 'live', record, version: own.version, others }
  }

  async #renderItem(
    locale: Locale,
    id: string,
    story: Story,
    others: Article[],
    { body, until, release }: ItemView,
  ): Promise<RenderedPage> {
    const translations = others.map((r) => ({ locale: r.locale, title: r.title, url: r.url }))
    const context = { locale, settings: this.feeds.settings, t: translatorFor(locale), translations }
    if (story.kind === 'canceled') {
      const document = renderCanceledItem(id, story.at, story.version, context)
      return this.#encode(document, locale, Date.parse(story.at), release)
    }
    const { record } = story
    const changed = Math.max(...[record, ...others].map((r) => Date.parse(r.updatedAt ?? r.publishedAt)))
    const document = renderNinjsItem(record, story.version, context, body ?? 'full', until)
    return this.#encode(document, locale, changed, release)
  }

  async #renderFeed(
    definition: FeedDefinition,
    locale: Locale,
    bundle: FeedBundle,
    audience: Audience,
  ): Promise<RenderedPage> {
    const entries = entriesOf(bundle)
    const states = await this.feeds.articles.currents(entries.map(({ id }) => ({ locale, id })))
    const t = translatorFor(locale)
    const settings = this.feeds.settings
    const now = this.now()
    // A story pulled (or given a newer version under embargo) since the bundle was rendered leaves
    // the list now; its bundle follows. An audience of embargoed stories keeps them, marked.
    const items = entries.flatMap(({ id, translations }) => {
      const state = states.get(storyKey({ locale, id }))
      if (state?.kind !== 'live') return []
      const embargoed = isEmbargoed(state.record, now)
      if (embargoed && !audience.embargoed) return []
      const until = embargoed ? state.record.embargoUntil : undefined
      const context = { locale, settings, t, translations }
      return [renderNinjsItem(state.record, state.version, context, audience.body, until)]
    })
    const document = renderNinjsFeed(definition, { locale, settings, t }, items)
    return this.#encode(document, locale, bundle.lastModified, bundle.nextRelease)
  }

  /** A document's page; `release` when what it shows changes by time alone then (ms). */
  async #encode(
    document: object,
    locale: Locale,
    lastModified: number,
    release?: number,
  ): Promise<RenderedPage> {
    const body = encoder.encode(`${JSON.stringify(document, null, 2)}\n`)
    return {
      contentType: NINJS_CONTENT_TYPE,
      language: LANGUAGE_TAG[locale],
      lastModified,
      cacheControl: this.#cacheControl,
      ...(release !== undefined && { release: { at: release, policy: this.#policy } }),
      variants: await compressVariants(body, await strongEtag(body)),
    }
  }
}
