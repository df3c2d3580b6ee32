import { formatRfc3339 } from './dates.ts'
import { type FeedHead, type FeedRenderer, type Frame, type ItemModel } from './feed-renderer.ts'

/**
 * JSON Feed 1.1, a document around items rendered on their own: each item is its object as
 * `JSON.stringify(document, null, 2)` prints it inside the `items` array (four spaces in).
 */
export const JSON_FEED: FeedRenderer = {
  item: (item, feed) => JSON.stringify(renderItem(item, feed.timeZone), null, 2).replace(/\n/g, '\n    '),
  frame: jsonFrame,
}

function jsonFrame(feed: FeedHead, count: number): Frame {
  const document = {
    version: 'https://jsonfeed.org/version/1.1',
    title: feed.title,
    home_page_url: feed.homeUrl,
    ...(feed.selfUrl ? { feed_url: feed.selfUrl.json } : {}),
    // Older stories page on: the current feed to its newest archive, each archive to the one before.
    ...(feed.history?.prev ? { next_url: feed.history.prev.json } : {}),
    ...(feed.hubs.length > 0 ? { hubs: feed.hubs.map((url) => ({ type: 'WebSub', url })) } : {}),
    description: feed.description,
    language: feed.languageTag,
    authors: [{ name: feed.newsroom }],
    _silkfeed: {
      id: feed.id,
      copyright: feed.copyright,
      alternates: feed.alternates.map((alt) => ({ hreflang: alt.hreflang, feed_url: alt.url.json })),
      ...(feed.history?.current
        ? {
            archive: {
              current: feed.history.current.json,
              ...(feed.history.next ? { next_archive: feed.history.next.json } : {}),
            },
          }
        : {}),
      // Stories pulled within the tombstone window, as Atom lists them with at:deleted-entry.
      ...(feed.deleted.length > 0
        ? {
            deleted: feed.deleted.map((d) => ({
              id: d.id,
              when: formatRfc3339(d.when, feed.timeZone),
              reason: d.reason,
            })),
          }
        : {}),
    },
    items: [],
  }
  // `items` is the last member: its empty array is opened up for the items, already indented.
  const text = JSON.stringify(document, null, 2)
  if (count === 0) return { before: `${text}\n`, between: '', after: '' }
  return { before: `${text.slice(0, -'[]\n}'.length)}[\n    `, between: ',\n    ', after: '\n  ]\n}\n' }
}

function renderItem(item: ItemModel, tz: string) {
  const image = item.image
  return {
    id: item.id,
    url: item.url,
    title: item.title,
    // JSON Feed requires content_html or content_text.
    ...(item.contentHtml !== undefined
      ? { content_html: item.contentHtml }
      : { content_text: item.summary ?? item.title }),
    ...(item.summary !== undefined ? { summary: item.summary } : {}),
    ...(image ? { image: image.url } : {}),
    date_published: formatRfc3339(item.published, tz),
    date_modified: formatRfc3339(item.updated, tz),
    ...(item.authors.length > 0
      ? { authors: item.authors.map((a) => ({ name: a.name, ...(a.url ? { url: a.url } : {}) })) }
      : {}),
    // Tags must be unique (the JSON Feed schema says so), yet a section label can equal a free tag.
    ...(item.categories.length > 0 ? { tags: [...new Set(item.categories.map((c) => c.label))] } : {}),
    ...(image && image.type
      ? {
          attachments: [
            {
              url: image.url,
              mime_type: image.type,
              ...(image.caption !== undefined ? { title: image.caption } : {}),
              ...(image.length !== undefined ? { size_in_bytes: image.length } : {}),
            },
          ],
        }
      : {}),
    _silkfeed: {
      ...(item.source ? { source: item.source } : {}),
      ...(item.attribution !== undefined ? { attribution: item.attribution } : {}),
      ...(image?.credit !== undefined ? { image_credit: image.credit } : {}),
      sections: item.categories.filter((c) => c.kind === 'section').map((c) => c.term),
      ...(item.derivedFrom !== undefined ? { derived_from: item.derivedFrom } : {}),
      translations: item.translations.map((tr) => ({ language: tr.hreflang, url: tr.url, title: tr.title })),
      ...(item.embargoedUntil !== undefined
        ? { embargoedUntil: formatRfc3339(item.embargoedUntil, tz) }
        : {}),
      ...(item.rights ? { rights: rightsObject(item.rights) } : {}),
    },
  }
}

/** The rights fields a story carries (IPTC ninjs names), without the rendered one-line text. */
function rightsObject(rights: NonNullable<ItemModel['rights']>) {
  const { text: _text, ...fields } = rights
  return fields
}
