import type { TFunction } from 'i18next'
import { embargoOf, lastChangeOf, type Article } from '../domain/article.ts'
import { FORMATS, type FeedDefinition, type FeedFormat } from '../domain/feed-definition.ts'
import { LANGUAGE_TAG, RSS_LANGUAGE, TIME_ZONE, type Locale } from '../domain/locale.ts'
import { publicAudience, type Audience } from '../domain/audience.ts'
import { isEmbargoed, releasedAt } from '../domain/embargo.ts'
import type { RetractionReason } from '../domain/retraction.ts'
import { archiveUrl, feedUrl } from '../domain/url-scheme.ts'
import { formatYear } from './dates.ts'
import {
  deletedEntries,
  rightsModel,
  SCRIPT,
  translationLinks,
  visibleTranslations,
  type TranslationIndex,
} from './item-parts.ts'

import type { FeedHead, FeedHistory, ItemModel } from './feed-renderer.ts'

export type { TranslationIndex } from './item-parts.ts'

/** Where the feeds are published and how their ids are minted: from configuration. */
export interface PublicationSettings {
  /** e.g. `https://feeds.example.com` (no trailing slash) */
  publicBaseUrl: string
  /** Tagging entity of RFC 4151 tag URIs, e.g. `silkfeed.dev,2026`; changing it changes every id. */
  idAuthority: string
  /** WebSub hubs that every feed advertises (rel=hub); empty for none. */
  hubs?: readonly string[]
}

/** URLs of one feed in one locale, per format. */
export function feedUrls(
  settings: PublicationSettings,
  feedId: string,
  locale: Locale,
): Record<FeedFormat, string> {
  const urls = {} as Record<FeedFormat, string>
  for (const format of FORMATS) urls[format] = feedUrl(settings.publicBaseUrl, locale, feedId, format)
  return urls
}

/** URLs of one archive month of a feed in one locale, per format. */
function archiveUrls(
  settings: PublicationSettings,
  feedId: string,
  locale: Locale,
  month: string,
): Record<FeedFormat, string> {
  const urls = {} as Record<FeedFormat, string>
  for (const format of FORMATS)
    urls[format] = archiveUrl(settings.publicBaseUrl, locale, feedId, month, format)
  return urls
}

/**
 * RFC 5005 months of a document: an archive's own `month` and its neighbours, or, on a current
 * feed, only `prev` (its newest archive).
 */
export interface HistoryMonths {
  month?: string
  prev?: string
  next?: string
}

/** The RFC 5005 links of a document from its months. */
function historyOf(
  settings: PublicationSettings,
  feedId: string,
  locale: Locale,
  months: HistoryMonths | undefined,
): FeedHistory | undefined {
  if (!months || (months.month === undefined && months.prev === undefined)) return undefined
  const urls = (month: string | undefined) =>
    month === undefined ? undefined : archiveUrls(settings, feedId, locale, month)
  return {
    ...(months.month !== undefined && { current: feedUrls(settings, feedId, locale) }),
    ...(months.prev !== undefined && { prev: urls(months.prev) }),
    ...(months.next !== undefined && { next: urls(months.next) }),
  }
}

/** The RFC 4151 tag URI of a story in one locale. */
export function itemId(settings: PublicationSettings, id: string, locale: Locale): string {
  return `tag:${settings.idAuthority}:article/${id}/${locale}`
}

/**
 * The latest release from embargo (ms, 0 if none) of a translation the items link: from then on
 * they link it, a change of the feed as a story's own release is.
 */
export function translationsReleased(
  input: Pick<FeedModelInput, 'locale' | 'translations' | 'audience'>,
  items: readonly Article[],
  now: number,
): number {
  const audience = input.audience ?? NO_EMBARGOED
  let latest = 0
  for (const item of items)
    for (const other of visibleTranslations(input.translations, item.id, input.locale, audience, now))
      latest = Math.max(latest, releasedAt(other, now))
  return latest
}

/** The audience of a model built without one: full text, no embargoed story. */
const NO_EMBARGOED: Audience = { body: 'full', embargoed: false }

/** What a feed model is built from. */
export interface FeedModelInput {
  definition: FeedDefinition
  locale: Locale
  items: readonly Article[]
  t: TFunction<'feeds'>
  settings: PublicationSettings
  /** `embargoed`: pulled before its release, so only in renderings that show embargoed stories. */
  tombstones?: readonly { id: string; at: string; reason?: RetractionReason; embargoed?: boolean }[]
  translations?: TranslationIndex
  /** Who the rendering is for; absent means full text, no embargoed stories. */
  audience?: Audience
  /** The render time: which embargoes have passed. */
  now?: number
  /** RFC 5005: set on archive documents, and on current feeds with archives. */
  history?: HistoryMonths
}

/** The feed-level part of the model (everything but the items). */
export function buildFeedHead(input: FeedModelInput): FeedHead {
  const { definition, locale, items, t, settings } = input
  const seen = (input.tombstones ?? []).filter((d) => !d.embargoed || input.audience?.embargoed === true)
  const deleted = deletedEntries(seen, t, (id) => itemId(settings, id, locale))
  // A retraction is a change of the feed too, and so is a release from embargo: both move `updated`
  // and Last-Modified, or a reader polling with If-Modified-Since would never see the story.
  const now = input.now ?? Infinity
  const updated = Math.max(
    items.reduce((max, a) => Math.max(max, lastChangeOf(a), releasedAt(a, now)), 0),
    translationsReleased(input, items, now),
    ...deleted.map((d) => d.when),
  )
  const newsroom = t('newsroom')
  // The public rendering names its URLs; a partner's rendering, shared by many keys, names none.
  const isPublic = isPublicRendering(definition, input.audience)
  // An archive document is its month's: its own self link, no hubs, no other locales (months differ).
  const archive = input.history?.month
  const year = formatYear(updated, TIME_ZONE[locale])
  return {
    feedId: definition.id,
    locale,
    languageTag: LANGUAGE_TAG[locale],
    rssLanguage: RSS_LANGUAGE[locale],
    timeZone: TIME_ZONE[locale],
    id: `tag:${settings.idAuthority}:feed/${definition.id}/${locale}`,
    title: t(`feeds.${definition.id}.title`),
    description: t(`feeds.${definition.id}.description`),
    newsroom,
    copyright: t('copyright', { year, newsroom }),
    homeUrl: `${settings.publicBaseUrl}/`,
    ...(isPublic && {
      selfUrl:
        archive === undefined
          ? feedUrls(settings, definition.id, locale)
          : archiveUrls(settings, definition.id, locale, archive),
    }),
    hubs: isPublic && archive === undefined ? (settings.hubs ?? []) : [],
    alternates:
      isPublic && archive === undefined
        ? definition.locales
            .filter((other) => other !== locale)
            .map((other) => ({
              hreflang: LANGUAGE_TAG[other],
              url: feedUrls(settings, definition.id, other),
            }))
        : [],
    deleted,
    ttlMinutes: Math.max(1, Math.ceil(definition.cache.maxAge / 60)),
    updated,
    history: historyOf(settings, definition.id, locale, input.history),
  }
}

/** Whether a rendering is what the public reads at the feed's URL (absent audience: the public's, full). */
function isPublicRendering(
  definition: FeedDefinition,
  { body, embargoed }: Audience = { body: 'full', embargoed: false },
): boolean {
  const open = publicAudience(definition)
  return open !== undefined && open.body === body && open.embargoed === embargoed
}

/**
 * The item model of one story of the feed's locale. An item depends on the story, the locale, the
 * settings and the story's translations only, never on the rest of the feed: a rendered item can be
 * reused by the next rendering of any feed that carries the same story.
 */
export function itemModelBuilder(
  input: Pick<FeedModelInput, 'locale' | 't' | 'settings' | 'translations' | 'audience' | 'now'>,
): (article: Article) => ItemModel {
  const { locale, t, settings } = input
  const audience = input.audience ?? NO_EMBARGOED
  const fullText = audience.body !== 'excerpt'
  const now = input.now ?? Infinity
  const sectionScheme = `${settings.publicBaseUrl}/sections/`
  const derivedScheme = `${settings.publicBaseUrl}/derived-from/`
  return (article) => ({
    id: itemId(settings, article.id, locale),
    url: article.url,
    title: article.title,
    summary: article.summary,
    contentHtml: fullText ? article.contentHtml : undefined,
    published: Date.parse(article.publishedAt),
    updated: lastChangeOf(article),
    authors: article.authors ?? [],
    source: article.source,
    attribution: article.source ? t('attribution', { source: article.source.name }) : undefined,
    categories: [
      ...article.sections.map((s) => ({
        term: s,
        label: t(`sections.${s}`, { defaultValue: s }),
        scheme: sectionScheme,
        kind: 'section' as const,
      })),
      ...(article.tags ?? []).map((tag) => ({ term: tag, label: tag, kind: 'tag' as const })),
      ...(article.derivedFrom
        ? [
            {
              term: LANGUAGE_TAG[article.derivedFrom],
              label: t('derived', { from: t(`scripts.${SCRIPT[article.derivedFrom]}`) }),
              scheme: derivedScheme,
              kind: 'derived' as const,
            },
          ]
        : []),
    ],
    image: article.image,
    translations: translationLinks(
      visibleTranslations(input.translations, article.id, locale, audience, now),
    ),
    ...(article.derivedFrom && { derivedFrom: LANGUAGE_TAG[article.derivedFrom] }),
    ...(isEmbargoed(article, now) && { embargoedUntil: embargoOf(article) }),
    ...(article.rights && { rights: rightsModel(article.rights, t) }),
  })
}
