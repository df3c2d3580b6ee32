import { feedCacheControl } from '../domain/cache-control.ts'
import { earliest } from '../domain/embargo.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import { LANGUAGE_TAG, type Locale } from '../domain/locale.ts'
import { renderDirectoryPage } from '../render/directory-page.ts'
import { summarizeJsonFeed, type FeedSummary } from '../render/feed-summary.ts'
import { OPML_CONTENT_TYPE, renderAllOpml, renderLocaleOpml } from '../render/opml.ts'
import { renderPartnerPage } from '../render/partner-page.ts'
import { renderPreviewPage } from '../render/preview-page.ts'
import { compressVariants, type FeedBundle } from './feed-bundle.ts'
import type { FeedService } from './feed-service.ts'
import { strongEtag } from './render-feed.ts'

export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8'

/** A human page or OPML list, encoded and compressed once per content version. */
export interface RenderedPage {
  contentType: string
  /** BCP 47 tag of the page's language (Content-Language). */
  language: string
  /** The newest change of the feeds it shows. */
  lastModified: number
  cacheControl: string
  /**
   * While it holds a story back until a release from embargo (or shows one marked until then): when,
   * and the cache policy its Cache-Control is cut from so that no cache keeps it past that instant.
   */
  release?: PageRelease
  variants: FeedBundle['variants']
}

/** A page's next release from embargo (ms), and the policy its Cache-Control is cut from until then. */
interface PageRelease {
  at: number
  policy: FeedDefinition['cache']
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Encodes a page once, with its compressed variants; requests only pick bytes. */
async function encodePage(text: string, meta: Omit<RenderedPage, 'variants'>): Promise<RenderedPage> {
  const body = encoder.encode(text)
  return { ...meta, variants: await compressVariants(body, await strongEtag(body)) }
}

/**
 * The directory, feed previews and OPML lists. Their data is the feeds' own JSON Feed bundles,
 * taken from the FeedService (hot cache, then storage), so a page shows what subscribers get and
 * costs no article reads. Each page is rendered once per content version (the ETags of the bundles
 * it shows) and kept until that version changes.
 */
export class PageService {
  readonly #summaries = new WeakMap<FeedBundle, FeedSummary>()
  readonly #pages = new Map<string, { version: string; page: Promise<RenderedPage> }>()
  readonly #policy: FeedDefinition['cache']
  readonly #cacheControl: string

  constructor(private readonly feeds: FeedService) {
    this.#policy = pagePolicy(feeds.feeds.all)
    this.#cacheControl = feedCacheControl(this.#policy, undefined, 0)
  }

  /** One feed in one locale as the pages show it, with the ETag of the bundle it was read from. */
  async summary(
    definition: FeedDefinition,
    locale: Locale,
  ): Promise<{ summary: FeedSummary; version: string; nextRelease?: number }> {
    const { bundle } = await this.feeds.getFeed(definition, locale, 'json')
    let summary = this.#summaries.get(bundle)
    if (!summary) {
      summary = summarizeJsonFeed(decoder.decode(bundle.variants.identity.body), {
        feedId: definition.id,
        locale,
        lastModified: bundle.lastModified,
      })
      this.#summaries.set(bundle, summary)
    }
    const version = bundle.variants.identity.etag
    return bundle.nextRelease === undefined
      ? { summary, version }
      : { summary, version, nextRelease: bundle.nextRelease }
  }

  /** Every feed in every locale it is offered in, in catalogue order. */
  async #everything(): Promise<{ summaries: FeedSummary[]; version: string; nextRelease?: number }> {
    const perFeed = await Promise.all(
      this.feeds.feeds.all
        .filter((definition) => definition.public !== 'none')
        .map(async (definition) => {
          // One locale first: a feed never rendered is rendered (in every locale) by that call, and
          // the others then come from memory instead of queueing a second render.
          const [first, ...rest] = definition.locales
          if (first === undefined) return []
          const head = await this.summary(definition, first)
          return [head, ...(await Promise.all(rest.map((locale) => this.summary(definition, locale))))]
        }),
    )
    const all = perFeed.flat()
    const summaries = all.map((s) => s.summary)
    const version = all.map((s) => s.version).join(' ')
    const nextRelease = earliest(all.map((s) => s.nextRelease))
    return nextRelease === undefined ? { summaries, version } : { summaries, version, nextRelease }
  }

  /** The page under `key` for this content version, rendering it when the version is new. */
  #cached(key: string, version: string, render: () => Promise<RenderedPage>): Promise<RenderedPage> {
    const entry = this.#pages.get(key)
    if (entry && entry.version === version) return entry.page
    const page = render()
    this.#pages.set(key, { version, page })
    // A failed render is not remembered: the next request tries again.
    page.catch(() => {
      if (this.#pages.get(key)?.page === page) this.#pages.delete(key)
    })
    return page
  }

  /** A page's metadata; `nextRelease` when it shows stories of a feed that holds one back until then. */
  #meta(contentType: string, locale: Locale, summaries: readonly FeedSummary[], nextRelease?: number) {
    return {
      contentType,
      language: LANGUAGE_TAG[locale],
      lastModified: Math.max(0, ...summaries.map((s) => s.lastModified)),
      cacheControl: this.#cacheControl,
      ...(nextRelease !== undefined && { release: { at: nextRelease, policy: this.#policy } }),
    }
  }

  /** `GET /` in the visitor's language. */
  async directory(page: Locale): Promise<RenderedPage> {
    const { summaries, version, nextRelease } = await this.#everything()
    return this.#cached(`directory:${page}`, version, () =>
      encodePage(
        renderDirectoryPage({ page, summaries, publicBaseUrl: this.feeds.settings.publicBaseUrl }),
        this.#meta(HTML_CONTENT_TYPE, page, summaries, nextRelease),
      ),
    )
  }

  /** `GET /{locale}/{feed}`. */
  async preview(definition: FeedDefinition, locale: Locale): Promise<RenderedPage> {
    const { summary, version, nextRelease } = await this.summary(definition, locale)
    return this.#cached(`preview:${definition.id}:${locale}`, version, () =>
      encodePage(
        renderPreviewPage({
          summary,
          locales: definition.locales,
          publicBaseUrl: this.feeds.settings.publicBaseUrl,
        }),
        this.#meta(HTML_CONTENT_TYPE, locale, [summary], nextRelease),
      ),
    )
  }

  /** `GET /{locale}/feeds.opml`. */
  async localeOpml(locale: Locale): Promise<RenderedPage> {
    const definitions = this.feeds.feeds.publicForLocale(locale)
    const read = await Promise.all(definitions.map((d) => this.summary(d, locale)))
    const summaries = read.map((r) => r.summary)
    return this.#cached(`opml:${locale}`, read.map((r) => r.version).join(' '), () =>
      encodePage(
        renderLocaleOpml({ locale, summaries, publicBaseUrl: this.feeds.settings.publicBaseUrl }),
        this.#meta(OPML_CONTENT_TYPE, locale, summaries),
      ),
    )
  }

  /** `GET /feeds.opml`, its own text in the visitor's language. */
  async allOpml(page: Locale): Promise<RenderedPage> {
    const { summaries, version } = await this.#everything()
    return this.#cached(`opml-all:${page}`, version, () =>
      encodePage(
        renderAllOpml({ page, summaries, publicBaseUrl: this.feeds.settings.publicBaseUrl }),
        this.#meta(OPML_CONTENT_TYPE, page, summaries),
      ),
    )
  }

  /**
   * `GET /p/{key}/feeds.opml` and `GET /p/{key}/`: exactly the feeds a partner may read, linked under
   * its keyed base. Rendered per request, never kept: the key is in the bytes, and partners ask rarely.
   */
  async partnerPage(
    kind: 'opml' | 'directory',
    readable: readonly { definition: FeedDefinition; locale: Locale }[],
    partner: { name: string; keyedBaseUrl: string },
    page: Locale,
  ): Promise<RenderedPage> {
    const read = await Promise.all(readable.map((r) => this.summary(r.definition, r.locale)))
    const summaries = read.map((r) => r.summary)
    const { keyedBaseUrl, name } = partner
    const text =
      kind === 'opml'
        ? renderAllOpml({
            page,
            summaries,
            publicBaseUrl: keyedBaseUrl,
            pagesBaseUrl: this.feeds.settings.publicBaseUrl,
          })
        : renderPartnerPage({ page, partnerName: name, summaries, keyedBaseUrl })
    return encodePage(
      text,
      this.#meta(kind === 'opml' ? OPML_CONTENT_TYPE : HTML_CONTENT_TYPE, page, summaries),
    )
  }
}

/**
 * The cache policy of a page that shows many feeds: kept no longer than the shortest-lived feed it
 * shows.
 */
export function pagePolicy(definitions: readonly FeedDefinition[]): FeedDefinition['cache'] {
  const min = (pick: (p: FeedDefinition['cache']) => number) =>
    Math.min(...definitions.map((d) => pick(d.cache)))
  return {
    maxAge: min((p) => p.maxAge),
    staleWhileRevalidate: min((p) => p.staleWhileRevalidate),
    staleIfError: min((p) => p.staleIfError),
  }
}
