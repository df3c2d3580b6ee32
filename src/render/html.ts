import { CONTENT_TYPE, FORMATS, type FeedFormat } from '../domain/feed-definition.ts'
import { LANGUAGE_TAG, TIME_ZONE, type Locale } from '../domain/locale.ts'
import { archiveUrl, feedPath, feedUrl } from '../domain/url-scheme.ts'
import { pagesTranslatorFor, translatorFor } from '../i18n/translator.ts'
import { calendarFields, formatRfc3339 } from './dates.ts'
import type { Headline } from './feed-summary.ts'
import { rightsWords } from './item-parts.ts'
import { formatLocalDate } from './local-dates.ts'
import { attrs, escapeXml } from './xml.ts'

// The pages are polyglot HTML5: every element closed and only XML's five entities, so they parse
// as HTML and as XML alike (the tests check both). The XML escaping is also correct HTML escaping.
export { attrs, escapeXml as escapeHtml }

/** The media type of a feed format without its charset, as `type` attributes want it. */
export function mediaType(format: FeedFormat): string {
  return CONTENT_TYPE[format].split(';')[0]!
}

/** An article link: only absolute http(s) URLs become links (the schema allows nothing else). */
function safeHref(url: string): string | undefined {
  return /^https?:\/\//i.test(url) ? url : undefined
}

/** `lang` for content in `locale` inside a page in `pageLocale`, where the two differ. */
export function langIf(locale: Locale, pageLocale: Locale): string | undefined {
  return locale === pageLocale ? undefined : LANGUAGE_TAG[locale]
}

// Small, no web fonts, light and dark; nothing here needs `<` or `&` (the page must stay XML too).
const STYLE = [
  ':root{color-scheme:light dark;--muted:#5b6168;--line:#cfd4da;--accent:#0b57d0;--card:#f6f8fa}',
  '@media (prefers-color-scheme:dark){:root{--muted:#a9b0b7;--line:#3d4247;--accent:#8ab4f8;--card:#1c1f23}}',
  'body{margin:0 auto;max-width:66rem;padding:1rem 1.25rem 3rem;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}',
  'a{color:var(--accent)}',
  'h1{font-size:1.7rem;line-height:1.25;margin:.75rem 0 .5rem}',
  'h2{font-size:1.25rem;margin:2rem 0 .75rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}',
  'h3{font-size:1.05rem;margin:0 0 .25rem}',
  'h4{font-size:.9rem;margin:.75rem 0 .25rem;color:var(--muted)}',
  '.langs,.formats{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.35rem .9rem}',
  '.langs [aria-current]{font-weight:700;color:inherit;text-decoration:none}',
  '.feeds{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(19rem,1fr))}',
  '.feed{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem}',
  '.feed p{margin:.25rem 0}',
  '.muted,time{color:var(--muted)}',
  'time{display:block;font-size:.85rem}',
  '.headlines{padding-left:1.25rem;margin:.25rem 0}',
  '.headlines li{margin:.35rem 0}',
  '.formats a{display:inline-block;padding:.1rem .6rem;border:1px solid var(--accent);border-radius:1rem;text-decoration:none}',
  '.items{list-style:none;padding:0}',
  '.items li{border-bottom:1px solid var(--line);padding:.75rem 0}',
  '.items h2{font-size:1.1rem;margin:0;padding:0;border:0}',
  'footer{margin-top:2.5rem;font-size:.9rem}',
].join('\n')

/** A whole page: doctype, `<html lang>`, charset, viewport, title, extra head lines, inline CSS. */
export function renderDocument(input: {
  locale: Locale
  title: string
  description: string
  head: readonly string[]
  body: string
}): string {
  return [
    '<!DOCTYPE html>',
    `<html${attrs({ lang: LANGUAGE_TAG[input.locale] })}>`,
    '<head>',
    '<meta charset="utf-8"/>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    `<title>${escapeXml(input.title)}</title>`,
    `<meta${attrs({ name: 'description', content: input.description })}/>`,
    ...input.head,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    input.body,
    '</body>',
    '</html>',
    '',
  ].join('\n')
}

/** A language switch: every locale by its own name (in its own script), each linking `href(locale)`. */
export function languageNav(
  page: Locale,
  locales: readonly Locale[],
  label: string,
  href: (locale: Locale) => string,
): string {
  const items = locales.map((locale) => {
    const current = locale === page ? { 'aria-current': 'page' } : {}
    const name = pagesTranslatorFor(locale)('languageName')
    const tag = LANGUAGE_TAG[locale]
    return `<li><a${attrs({ href: href(locale), hreflang: tag, lang: tag, ...current })}>${escapeXml(name)}</a></li>`
  })
  return `<nav${attrs({ 'aria-label': label })}><ul class="langs">${items.join('')}</ul></nav>`
}

/** Feed autodiscovery: `<link rel="alternate">` per format with type, title, hreflang and absolute href. */
export function autodiscoveryLinks(
  baseUrl: string,
  feed: { feedId: string; locale: Locale; title: string; newestArchive?: string },
): string[] {
  const t = pagesTranslatorFor(feed.locale)
  const { newestArchive } = feed
  return [
    ...FORMATS.map(
      (format) =>
        `<link${attrs({
          rel: 'alternate',
          type: mediaType(format),
          title: t('feedFormat', { feed: feed.title, format: t(`formats.${format}`) }),
          hreflang: LANGUAGE_TAG[feed.locale],
          href: feedUrl(baseUrl, feed.locale, feed.feedId, format),
        })}/>`,
    ),
    // RFC 5005: where the stories that left the feed are, its newest archive (Atom).
    ...(newestArchive === undefined
      ? []
      : [
          `<link${attrs({
            rel: 'prev-archive',
            type: mediaType('atom'),
            hreflang: LANGUAGE_TAG[feed.locale],
            href: archiveUrl(baseUrl, feed.locale, feed.feedId, newestArchive, 'atom'),
          })}/>`,
        ]),
  ]
}

/** The subscribe links of one feed: one per format, labelled in the page's language. */
export function subscribeList(feedId: string, locale: Locale, pageLocale: Locale): string {
  const t = pagesTranslatorFor(pageLocale)
  const items = FORMATS.map(
    (format) =>
      `<li><a${attrs({
        href: feedPath(locale, feedId, format),
        type: mediaType(format),
        hreflang: LANGUAGE_TAG[locale],
      })}>${escapeXml(t(`formats.${format}`))}</a></li>`,
  )
  return `<ul class="formats">${items.join('')}</ul>`
}

/** `<time>` with the RFC 3339 instant and the date as readers of `locale` write it. */
export function timeElement(instant: number, locale: Locale): string {
  const datetime = formatRfc3339(instant, TIME_ZONE[locale])
  return `<time${attrs({ datetime })}>${escapeXml(formatLocalDate(instant, locale, pagesTranslatorFor(locale)))}</time>`
}

/** A headline's title, linked to the story when its URL is a web address. */
export function headlineLink(item: Headline, hreflang?: string): string {
  const href = safeHref(item.url)
  const title = escapeXml(item.title)
  return href ? `<a${attrs({ href, hreflang })}>${title}</a>` : title
}

/**
 * A story's rights on a page, in the feed's language: the notice (or "© holder"), the usage terms,
 * and the licence as a `rel="license"` link (plain text when its URL is no web address).
 */
export function rightsLine(rights: NonNullable<Headline['rights']>, locale: Locale): string {
  const { claim, terms, license } = rightsWords(rights, translatorFor(locale))
  const href = rights.licenseUrl !== undefined ? safeHref(rights.licenseUrl) : undefined
  const licence =
    license === undefined
      ? undefined
      : href
        ? `<a${attrs({ rel: 'license', href })}>${escapeXml(license)}</a>`
        : escapeXml(license)
  const parts = [claim, terms].filter((part) => part !== undefined).map(escapeXml)
  return `<p class="muted rights">${[...parts, ...(licence !== undefined ? [licence] : [])].join(' ')}</p>`
}

/** The newsroom's copyright line for the year of `instant` (in the locale's time zone), in `locale`. */
export function copyrightLine(instant: number, locale: Locale): string {
  const t = translatorFor(locale)
  const { year } = calendarFields(instant, TIME_ZONE[locale])
  return t('copyright', { year: String(year), newsroom: t('newsroom') })
}
