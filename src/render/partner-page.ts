import { FORMATS } from '../domain/feed-definition.ts'
import { LANGUAGE_TAG, LOCALES, type Locale } from '../domain/locale.ts'
import { pagesTranslatorFor } from '../i18n/translator.ts'
import type { FeedSummary } from './feed-summary.ts'
import { attrs, autodiscoveryLinks, escapeHtml, langIf, mediaType, renderDocument } from './html.ts'

/**
 * `GET /p/{key}/`: the feeds of one partner's agreement, each with its keyed subscribe links, the
 * page's text in `page`. Every link is absolute under `keyedBaseUrl` (the public base and the key),
 * so what a partner copies from here is what its reader needs. Pure.
 */
export function renderPartnerPage(input: {
  page: Locale
  partnerName: string
  summaries: readonly FeedSummary[]
  keyedBaseUrl: string
}): string {
  const { page, partnerName, summaries, keyedBaseUrl } = input
  const t = pagesTranslatorFor(page)
  const sections = LOCALES.filter((l) => summaries.some((s) => s.locale === l)).map((locale) =>
    [
      `<section${attrs({ id: locale })}>`,
      `<h2>${escapeHtml(t(`locales.${locale}`))}</h2>`,
      ...summaries.filter((s) => s.locale === locale).map((s) => feedCard(s, page, keyedBaseUrl)),
      '</section>',
    ].join('\n'),
  )
  const body = [
    '<header>',
    `<h1>${escapeHtml(t('partner.title', { name: partnerName }))}</h1>`,
    `<p>${escapeHtml(t('partner.intro'))}</p>`,
    '</header>',
    '<main>',
    ...sections,
    '</main>',
    '<footer>',
    `<p><a${attrs({ href: `${keyedBaseUrl}/feeds.opml`, type: 'text/x-opml' })}>${escapeHtml(t('partner.opml'))}</a></p>`,
    '</footer>',
  ].join('\n')
  return renderDocument({
    locale: page,
    title: t('partner.title', { name: partnerName }),
    description: t('partner.intro'),
    head: summaries.flatMap((s) => autodiscoveryLinks(keyedBaseUrl, s)),
    body,
  })
}

function feedCard(summary: FeedSummary, page: Locale, keyedBaseUrl: string): string {
  const t = pagesTranslatorFor(page)
  const lang = langIf(summary.locale, page)
  const links = FORMATS.map(
    (format) =>
      `<li><a${attrs({
        href: `${keyedBaseUrl}/${summary.locale}/${summary.feedId}.${format}`,
        type: mediaType(format),
        hreflang: LANGUAGE_TAG[summary.locale],
      })}>${escapeHtml(t(`formats.${format}`))}</a></li>`,
  )
  return [
    '<article class="feed">',
    `<h3${attrs({ lang })}>${escapeHtml(summary.title)}</h3>`,
    `<p${attrs({ lang })}>${escapeHtml(summary.description)}</p>`,
    `<ul class="formats">${links.join('')}</ul>`,
    '</article>',
  ].join('\n')
}
