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
  variants: FeedBundle['variants']
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
  readonly #cacheControl: string

  constructor(private readonly feeds: FeedService) {
    // A page may be kept no longer than the shortest-lived feed it shows.
    const policies = feeds.feeds.all.map((d) => d.cache)
    const min = (pick: (p: FeedDefinition['cache']) => number) => Math.min(...policies.map(pick))
    this.#cacheControl = `public, max-age=${min((p) => p.maxAge)}, stale-while-revalidate=${min((p) => p.staleWhileRevalidate)}, stale-if-error=${min((p) => p.staleIfError)}`
  }

  /** One feed in one locale as the pages show it, with the ETag of the bundle it was read from. */
  async summary(
    definition: FeedDefinition,
    locale: Locale,
  ): Promise<{ summary: FeedSummary; version: string }> {
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
    return { summary, version: bundle.variants.identity.etag }
  }

  /** Every feed in every locale it is offered in, in catalogue order. */
  async #everything(): Promise<{ summaries: FeedSummary[]; version: string }> {
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
    return { summaries: all.map((s) => s.summary), version: all.map((s) => s.version).join(' ') }
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

  #meta(contentType: string, locale: Locale, summaries: readonly FeedSummary[]) {
    return {
      contentType,
      language: LANGUAGE_TAG[locale],
      lastModified: Math.max(0, ...summaries.map((s) => s.lastModified)),
      cacheControl: this.#cacheControl,
    }
  }

  /** `GET /` in the visitor's language. */
  async directory(page: Locale): Promise<RenderedPage> {
    const { summaries, version } = await this.#everything()
    return this.#cached(`directory:${page}`, version, () =>
      encodePage(
        renderDirectoryPage({ page, summaries, publicBaseUrl: this.feeds.settings.publicBaseUrl }),
        this.#meta(HTML_CONTENT_TYPE, page, summaries),
      ),
    )
  }

  /** `GET /{locale}/{feed}`. */
  async preview(definition: FeedDefinition, locale: Locale): Promise<RenderedPage> {
    const { summary, version } = await this.summary(definition, locale)
    return this.#cached(`preview:${definition.id}:${locale}`, version, () =>
      encodePage(
        renderPreviewPage({
          summary,
          locales: definition.locales,
          publicBaseUrl: this.feeds.settings.publicBaseUrl,
        }),
        this.#meta(HTML_CONTENT_TYPE, locale, [summary]),
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
