import { LANGUAGE_TAG, LOCALES, type Locale } from '../domain/locale.ts'
import { allOpmlPath, directoryPath, localeOpmlPath, previewPath } from '../domain/url-scheme.ts'
import { pagesTranslatorFor } from '../i18n/translator.ts'
import type { FeedSummary } from './feed-summary.ts'
import {
  attrs,
  autodiscoveryLinks,
  copyrightLine,
  escapeHtml,
  headlineLink,
  langIf,
  languageNav,
  renderDocument,
  rightsLine,
  subscribeList,
  timeElement,
} from './html.ts'

/** How many headlines the directory shows per feed. */
const DIRECTORY_HEADLINES = 3

function feedCard(summary: FeedSummary, page: Locale): string {
  const t = pagesTranslatorFor(page)
  const lang = langIf(summary.locale, page)
  const headlines = summary.items.slice(0, DIRECTORY_HEADLINES)
  const list =
    headlines.length === 0
      ? `<p>${escapeHtml(t('directory.empty'))}</p>`
      : `<ol class="headlines"${attrs({ lang })}>${headlines
          .map(
            (item) =>
              `<li>${headlineLink(item)}${timeElement(item.published, summary.locale)}` +
              `${item.rights ? rightsLine(item.rights, summary.locale) : ''}</li>`,
          )
          .join('')}</ol>`
  return [
    '<article class="feed">',
    `<h3${attrs({ lang })}>${escapeHtml(summary.title)}</h3>`,
    `<p${attrs({ lang })}>${escapeHtml(summary.description)}</p>`,
    `<h4>${escapeHtml(t('directory.latest'))}</h4>`,
    list,
    `<h4>${escapeHtml(t('directory.subscribe'))}</h4>`,
    subscribeList(summary.feedId, summary.locale, page),
    `<p><a${attrs({ href: previewPath(summary.locale, summary.feedId), hreflang: LANGUAGE_TAG[summary.locale] })}>${escapeHtml(t('directory.preview'))}</a></p>`,
    '</article>',
  ].join('\n')
}

/**
 * `GET /`: every feed of every locale with its latest headlines and subscribe links, the page's own
 * text in the visitor's language (`page`), each feed's text in its own; the visitor's locale comes
 * first. The head carries autodiscovery links for every feed. Pure.
 */
export function renderDirectoryPage(input: {
  page: Locale
  /** Every feed in every locale, in catalogue order. */
  summaries: readonly FeedSummary[]
  publicBaseUrl: string
}): string {
  const { page, summaries, publicBaseUrl } = input
  const t = pagesTranslatorFor(page)
  const present = LOCALES.filter((l) => summaries.some((s) => s.locale === l))
  const order = [page, ...present.filter((l) => l !== page)].filter((l) => present.includes(l))
  const sections = order.map((locale) => {
    const own = pagesTranslatorFor(locale)('languageName')
    const endonym =
      locale === page
        ? ''
        : ` <span class="muted"${attrs({ lang: LANGUAGE_TAG[locale] })}>· ${escapeHtml(own)}</span>`
    return [
      `<section${attrs({ id: locale, 'aria-labelledby': `${locale}-title` })}>`,
      `<h2${attrs({ id: `${locale}-title` })}>${escapeHtml(t(`locales.${locale}`))}${endonym}</h2>`,
      '<div class="feeds">',
      ...summaries.filter((s) => s.locale === locale).map((s) => feedCard(s, page)),
      '</div>',
      `<p><a${attrs({ href: localeOpmlPath(locale), type: 'text/x-opml', hreflang: LANGUAGE_TAG[locale] })}>${escapeHtml(t('directory.opml'))}</a></p>`,
      '</section>',
    ].join('\n')
  })
  const lastModified = Math.max(0, ...summaries.map((s) => s.lastModified))
  const body = [
    '<header>',
    `<h1>${escapeHtml(t('directory.title'))}</h1>`,
    `<p>${escapeHtml(t('directory.intro'))}</p>`,
    languageNav(page, LOCALES, t('directory.languages'), directoryPath),
    '</header>',
    '<main>',
    ...sections,
    '</main>',
    '<footer>',
    `<p><a${attrs({ href: allOpmlPath(page), type: 'text/x-opml' })}>${escapeHtml(t('directory.opmlAll'))}</a></p>`,
    ...(lastModified > 0 ? [`<p class="muted">${escapeHtml(copyrightLine(lastModified, page))}</p>`] : []),
    '</footer>',
  ].join('\n')
  const head = [
    ...summaries.flatMap((s) => autodiscoveryLinks(publicBaseUrl, s)),
    ...LOCALES.filter((l) => l !== page).map(
      (l) =>
        `<link${attrs({ rel: 'alternate', hreflang: LANGUAGE_TAG[l], href: `${publicBaseUrl}/?lang=${l}` })}/>`,
    ),
  ]
  return renderDocument({
    locale: page,
    title: t('directory.title'),
    description: t('directory.intro'),
    head,
    body,
  })
}
