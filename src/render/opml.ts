import { LOCALES, RSS_LANGUAGE, type Locale } from '../domain/locale.ts'
import { pagesTranslatorFor, translatorFor } from '../i18n/translator.ts'
import { formatRfc822 } from './dates.ts'
import type { FeedSummary } from './feed-summary.ts'
import { attrs, escapeXml } from './xml.ts'

/** OPML 2.0 is served with this media type (readers also accept application/xml). */
export const OPML_CONTENT_TYPE = 'text/x-opml; charset=utf-8'

/** One subscription: the RSS 2.0 feed (every reader has it), its preview page as htmlUrl. */
function feedOutline(baseUrl: string, summary: FeedSummary, htmlBaseUrl = baseUrl): string {
  return `<outline${attrs({
    type: 'rss',
    version: 'RSS2',
    text: summary.title,
    title: summary.title,
    description: summary.description,
    xmlUrl: `${baseUrl}/${summary.locale}/${summary.feedId}.rss`,
    htmlUrl: `${htmlBaseUrl}/${summary.locale}/${summary.feedId}`,
    language: RSS_LANGUAGE[summary.locale],
  })}/>`
}

function document(title: string, owner: string, lastModified: number, outlines: readonly string[]): string {
  // No clock in pure code: the list was created and last changed when its newest content did.
  const date = formatRfc822(lastModified, 'UTC')
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '<head>',
    `<title>${escapeXml(title)}</title>`,
    `<dateCreated>${date}</dateCreated>`,
    `<dateModified>${date}</dateModified>`,
    `<ownerName>${escapeXml(owner)}</ownerName>`,
    '<docs>http://opml.org/spec2.opml</docs>',
    '</head>',
    '<body>',
    ...outlines,
    '</body>',
    '</opml>',
    '',
  ].join('\n')
}

const newest = (summaries: readonly FeedSummary[]) => Math.max(0, ...summaries.map((s) => s.lastModified))

/** `/{locale}/feeds.opml`: every feed of one locale, titled in that locale. Pure. */
export function renderLocaleOpml(input: {
  locale: Locale
  summaries: readonly FeedSummary[]
  publicBaseUrl: string
}): string {
  const { locale, summaries, publicBaseUrl } = input
  const t = pagesTranslatorFor(locale)
  const own = summaries.filter((s) => s.locale === locale)
  return document(
    t('opml.title', { language: t(`locales.${locale}`) }),
    translatorFor(locale)('newsroom'),
    newest(own),
    own.map((s) => feedOutline(publicBaseUrl, s)),
  )
}

/**
 * `/feeds.opml`: every feed in every locale, one folder outline per locale; the list's own text in
 * `page`, each feed's in its own language. Pure.
 */
export function renderAllOpml(input: {
  page: Locale
  summaries: readonly FeedSummary[]
  /** Where the feeds are; a partner's list has its keyed base here. */
  publicBaseUrl: string
  /** Where the preview pages are, when not under `publicBaseUrl`. */
  pagesBaseUrl?: string
}): string {
  const { page, summaries, publicBaseUrl, pagesBaseUrl } = input
  const t = pagesTranslatorFor(page)
  const folders = LOCALES.filter((l) => summaries.some((s) => s.locale === l)).map((locale) => {
    const name = t(`locales.${locale}`)
    return [
      `<outline${attrs({ text: name, title: name })}>`,
      ...summaries.filter((s) => s.locale === locale).map((s) => feedOutline(publicBaseUrl, s, pagesBaseUrl)),
      '</outline>',
    ].join('\n')
  })
  return document(t('opml.titleAll'), translatorFor(page)('newsroom'), newest(summaries), folders)
}
