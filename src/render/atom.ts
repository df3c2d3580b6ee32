import { attrs, textElement } from './xml.ts'
import { formatRfc3339 } from './dates.ts'
import { embargoElement } from './silkfeed-namespace.ts'
import {
  FEED_HISTORY_NS,
  historyLinks,
  linesFrame,
  type FeedHead,
  type FeedRenderer,
  type Frame,
  type ItemModel,
} from './feed-renderer.ts'

/** Atom 1.0, a document around entries rendered on their own. */
export const ATOM: FeedRenderer = {
  item: (item, feed) => renderEntry(item, feed.timeZone, feed.languageTag),
  frame: atomFrame,
}

function atomFrame(feed: FeedHead, count: number): Frame {
  const tz = feed.timeZone
  const head = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<feed${attrs({
      xmlns: 'http://www.w3.org/2005/Atom',
      'xmlns:at': feed.deleted.length > 0 ? 'http://purl.org/atompub/tombstones/1.0' : undefined,
      'xmlns:fh': feed.history?.current ? FEED_HISTORY_NS : undefined,
      'xml:lang': feed.languageTag,
    })}>`,
    `  ${textElement('id', feed.id)}`,
    `  ${textElement('title', feed.title, ' type="text"')}`,
    `  ${textElement('subtitle', feed.description, ' type="text"')}`,
    `  ${textElement('updated', formatRfc3339(feed.updated, tz))}`,
    `  <author>${textElement('name', feed.newsroom)}</author>`,
    `  ${textElement('rights', feed.copyright, ' type="text"')}`,
    '  <generator>Silkfeed</generator>',
    ...(feed.selfUrl
      ? [`  <link${attrs({ rel: 'self', type: 'application/atom+xml', href: feed.selfUrl.atom })}/>`]
      : []),
    ...feed.hubs.map((hub) => `  <link${attrs({ rel: 'hub', href: hub })}/>`),
    ...historyLinks(feed.history, 'atom').map(
      ([rel, href]) => `  <link${attrs({ rel, type: 'application/atom+xml', href })}/>`,
    ),
    ...(feed.history?.current ? ['  <fh:archive/>'] : []),
    `  <link${attrs({ rel: 'alternate', type: 'text/html', href: feed.homeUrl })}/>`,
    ...feed.alternates.map(
      (alt) =>
        `  <link${attrs({ rel: 'alternate', type: 'application/atom+xml', hreflang: alt.hreflang, href: alt.url.atom })}/>`,
    ),
    // RFC 6721 tombstones; RFC 4287 wants extension elements before the first entry.
    ...feed.deleted.map(
      (d) =>
        `  <at:deleted-entry${attrs({ ref: d.id, when: formatRfc3339(d.when, tz) })}>${textElement('at:comment', d.comment)}</at:deleted-entry>`,
    ),
  ]
  return linesFrame(head, count, ['</feed>', ''])
}

function renderEntry(item: ItemModel, tz: string, languageTag: string): string {
  const image = item.image
  const lines = [
    '  <entry>',
    `    ${textElement('id', item.id)}`,
    `    ${textElement('title', item.title, ' type="text"')}`,
    `    <link${attrs({ rel: 'alternate', type: 'text/html', href: item.url })}/>`,
    // The same story in the other locales (alternates may differ in hreflang, RFC 4287 §4.1.1).
    // Readers that take the first alternate and readers that take the last (feedparser) must both
    // land on this locale's page: it comes first, and again last with its own hreflang.
    ...(item.translations.length > 0
      ? [
          ...item.translations.map(
            (tr) =>
              `    <link${attrs({ rel: 'alternate', type: 'text/html', hreflang: tr.hreflang, title: tr.title, href: tr.url })}/>`,
          ),
          `    <link${attrs({ rel: 'alternate', type: 'text/html', hreflang: languageTag, href: item.url })}/>`,
        ]
      : []),
    `    ${textElement('published', formatRfc3339(item.published, tz))}`,
    `    ${textElement('updated', formatRfc3339(item.updated, tz))}`,
    ...item.authors.map(
      (a) => `    <author>${textElement('name', a.name)}${textElement('uri', a.url)}</author>`,
    ),
    ...item.categories.map(
      (c) => `    <category${attrs({ term: c.term, scheme: c.scheme, label: c.label })}/>`,
    ),
    ...(item.summary !== undefined ? [`    ${textElement('summary', item.summary, ' type="text"')}`] : []),
    ...(item.contentHtml !== undefined
      ? [`    ${textElement('content', item.contentHtml, ' type="html"')}`]
      : []),
    ...renderRights(item),
    ...embargoElement(item, tz, '    '),
    ...(image
      ? [
          `    <link${attrs({ rel: 'enclosure', type: image.type, length: image.length, title: image.caption, href: image.url })}/>`,
        ]
      : []),
    '  </entry>',
  ]
  return lines.join('\n')
}

/** One `rights` per entry (RFC 4287 allows no more): the attribution, then the story's rights; a licence link. */
function renderRights(item: ItemModel): string[] {
  const text = [item.attribution, item.rights?.text].filter((part) => part !== undefined).join(' · ')
  const license = item.rights?.licenseUrl
  return [
    ...(text !== '' ? [`    ${textElement('rights', text, ' type="text"')}`] : []),
    ...(license !== undefined
      ? [`    <link${attrs({ rel: 'license', type: 'text/html', href: license })}/>`]
      : []),
  ]
}
