import { LANGUAGE_TAG, type Locale } from '../domain/locale.ts'
import { localeOpmlPath, previewPath } from '../domain/url-scheme.ts'
import { pagesTranslatorFor, translatorFor } from '../i18n/translator.ts'
import type { FeedSummary } from './feed-summary.ts'
import {
  attrs,
  autodiscoveryLinks,
  copyrightLine,
  escapeHtml,
  headlineLink,
  languageNav,
  renderDocument,
  rightsLine,
  subscribeList,
  timeElement,
} from './html.ts'

/**
 * `GET /{locale}/{feed}`: a readable page of one feed in its own language, with every item (title,
 * date, summary, attribution; never the article HTML), its subscribe links, autodiscovery, and links
 * to the same feed in the other locales (`locales`, which includes this one). Pure.
 */
export function renderPreviewPage(input: {
  summary: FeedSummary
  /** Every locale the feed is offered in. */
  locales: readonly Locale[]
  publicBaseUrl: string
}): string {
  const { summary, locales, publicBaseUrl } = input
  const { locale, feedId } = summary
  const t = pagesTranslatorFor(locale)
  const items =
    summary.items.length === 0
      ? `<p>${escapeHtml(t('directory.empty'))}</p>`
      : `<ol class="items">${summary.items
          .map((item) =>
            [
              '<li><article>',
              `<h2>${headlineLink(item)}</h2>`,
              timeElement(item.published, locale),
              ...(item.summary !== undefined ? [`<p>${escapeHtml(item.summary)}</p>`] : []),
              ...(item.attribution !== undefined
                ? [`<p class="muted">${escapeHtml(item.attribution)}</p>`]
                : []),
              ...(item.rights ? [rightsLine(item.rights, locale)] : []),
              '</article></li>',
            ].join('\n'),
          )
          .join('\n')}</ol>`
  const body = [
    '<header>',
    `<p><a${attrs({ href: `/?lang=${locale}` })}>${escapeHtml(t('preview.back'))}</a></p>`,
    `<h1>${escapeHtml(summary.title)}</h1>`,
    `<p>${escapeHtml(summary.description)}</p>`,
    `<p class="muted">${escapeHtml(translatorFor(locale)('itemCount', { count: summary.items.length }))} · ${escapeHtml(t('preview.intro'))}</p>`,
    `<h2>${escapeHtml(t('preview.subscribe'))}</h2>`,
    subscribeList(feedId, locale, locale),
    '</header>',
    '<main>',
    items,
    '</main>',
    '<footer>',
    `<h2>${escapeHtml(t('preview.otherLanguages'))}</h2>`,
    languageNav(locale, locales, t('preview.otherLanguages'), (l) => previewPath(l, feedId)),
    `<p><a${attrs({ href: localeOpmlPath(locale), type: 'text/x-opml' })}>${escapeHtml(t('directory.opml'))}</a></p>`,
    ...(summary.lastModified > 0
      ? [`<p class="muted">${escapeHtml(copyrightLine(summary.lastModified, locale))}</p>`]
      : []),
    '</footer>',
  ].join('\n')
  const head = [
    ...autodiscoveryLinks(publicBaseUrl, summary),
    ...locales
      .filter((l) => l !== locale)
      .map(
        (l) =>
          `<link${attrs({ rel: 'alternate', hreflang: LANGUAGE_TAG[l], href: `${publicBaseUrl}/${l}/${feedId}` })}/>`,
      ),
  ]
  return renderDocument({ locale, title: summary.title, description: summary.description, head, body })
}
