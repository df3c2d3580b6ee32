import { attrs, escapeXml, textElement } from './xml.ts'
import { formatRfc3339, formatRfc822 } from './dates.ts'
import { embargoElement } from './silkfeed-namespace.ts'
import {
  FEED_HISTORY_NS,
  historyLinks,
  linesFrame,
  type FeedHead,
  type FeedRenderer,
  type ItemModel,
  type Frame,
} from './feed-renderer.ts'

const NAMESPACES = attrs({
  version: '2.0',
  'xmlns:atom': 'http://www.w3.org/2005/Atom',
  'xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
  'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
  'xmlns:dcterms': 'http://purl.org/dc/terms/',
  'xmlns:media': 'http://search.yahoo.com/mrss/',
})

/** RSS 2.0, a document around items rendered on their own. */
export const RSS: FeedRenderer = {
  item: (item, feed) => renderItem(item, feed.timeZone),
  frame: rssFrame,
}

function rssFrame(feed: FeedHead, count: number): Frame {
  const tz = feed.timeZone
  const head = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<rss${NAMESPACES}${feed.history?.current ? attrs({ 'xmlns:fh': FEED_HISTORY_NS }) : ''}>`,
    '  <channel>',
    `    ${textElement('title', feed.title)}`,
    `    ${textElement('link', feed.homeUrl)}`,
    `    ${textElement('description', feed.description)}`,
    `    ${textElement('language', feed.rssLanguage)}`,
    `    ${textElement('copyright', feed.copyright)}`,
    ...(count > 0 ? [`    ${textElement('lastBuildDate', formatRfc822(feed.updated, tz))}`] : []),
    '    <generator>Silkfeed</generator>',
    '    <docs>https://www.rssboard.org/rss-specification</docs>',
    `    <ttl>${feed.ttlMinutes}</ttl>`,
    ...(feed.selfUrl
      ? [`    <atom:link${attrs({ href: feed.selfUrl.rss, rel: 'self', type: 'application/rss+xml' })}/>`]
      : []),
    ...feed.hubs.map((hub) => `    <atom:link${attrs({ href: hub, rel: 'hub' })}/>`),
    ...historyLinks(feed.history, 'rss').map(
      ([rel, href]) => `    <atom:link${attrs({ href, rel, type: 'application/rss+xml' })}/>`,
    ),
    ...(feed.history?.current ? ['    <fh:archive/>'] : []),
    ...feed.alternates.map(
      (alt) =>
        `    <atom:link${attrs({ href: alt.url.rss, rel: 'alternate', type: 'application/rss+xml', hreflang: alt.hreflang })}/>`,
    ),
  ]
  return linesFrame(head, count, ['  </channel>', '</rss>', ''])
}

function renderItem(item: ItemModel, tz: string): string {
  const lines = [
    '    <item>',
    `      ${textElement('title', item.title)}`,
    // The same story in the other locales, as Atom links. Before <link>: readers that let an
    // alternate atom:link replace the item's link (feedparser) then still end on <link>.
    ...item.translations.map(
      (tr) =>
        `      <atom:link${attrs({ rel: 'alternate', type: 'text/html', hreflang: tr.hreflang, title: tr.title, href: tr.url })}/>`,
    ),
    `      ${textElement('link', item.url)}`,
    `      ${textElement('guid', item.id, ' isPermaLink="false"')}`,
    `      ${textElement('pubDate', formatRfc822(item.published, tz))}`,
    // RSS <author> wants an e-mail address; names go to Dublin Core.
    ...item.authors.map((a) => `      ${textElement('dc:creator', a.name)}`),
    ...item.categories.map(
      (c) => `      ${textElement('category', c.label, c.scheme ? attrs({ domain: c.scheme }) : '')}`,
    ),
    ...(item.summary !== undefined ? [`      ${textElement('description', item.summary)}`] : []),
    ...(item.contentHtml !== undefined ? [`      ${textElement('content:encoded', item.contentHtml)}`] : []),
    // A correction's date. Not dc:date: RSS 1.0 uses that for the item's date, many readers take it
    // for the publication date, and the W3C validator flags it beside pubDate as duplicate semantics.
    ...(item.updated !== item.published
      ? [`      ${textElement('dcterms:modified', formatRfc3339(item.updated, tz))}`]
      : []),
    ...renderSource(item),
    ...(item.rights ? [`      ${textElement('dc:rights', item.rights.text)}`] : []),
    ...renderImage(item),
    ...embargoElement(item, tz, '      '),
    '    </item>',
  ]
  return lines.join('\n')
}

function renderSource(item: ItemModel): string[] {
  if (!item.source) return []
  if (item.source.url)
    return [`      ${textElement('source', item.source.name, attrs({ url: item.source.url }))}`]
  return [`      ${textElement('dc:source', item.source.name)}`]
}

function renderImage(item: ItemModel): string[] {
  const image = item.image
  if (!image) return []
  const lines: string[] = []
  // RSS requires both length and type on an enclosure; without them only Media RSS describes the image.
  if (image.type && image.length) {
    lines.push(`      <enclosure${attrs({ url: image.url, length: image.length, type: image.type })}/>`)
  }
  const media = attrs({
    url: image.url,
    type: image.type,
    medium: 'image',
    fileSize: image.length,
    width: image.width,
    height: image.height,
  })
  const inner = [
    image.caption !== undefined
      ? `<media:description type="plain">${escapeXml(image.caption)}</media:description>`
      : '',
    image.credit !== undefined ? `<media:credit>${escapeXml(image.credit)}</media:credit>` : '',
  ].join('')
  lines.push(
    inner ? `      <media:content${media}>${inner}</media:content>` : `      <media:content${media}/>`,
  )
  return lines
}
