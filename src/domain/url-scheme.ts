import { isFormat, type FeedFormat } from './feed-definition.ts'
import { isLocale, type Locale } from './locale.ts'

/**
 * The public URL scheme, in one place: the paths links and redirects are built with, the parser the
 * HTTP layer reads paths with, and the templates the OpenAPI document and the metrics name them by.
 * Pure; nothing here knows the catalogue (a path may name a feed that does not exist).
 */

/** A feed or page id as it may appear in a path. */
const SLUG = /^[a-z0-9][a-z0-9-]*$/

/** The path of a feed: `/{locale}/{feed}.{format}`. */
export function feedPath(locale: Locale, feedId: string, format: FeedFormat): string {
  return `/${locale}/${feedId}.${format}`
}

/** The absolute URL of a feed under a public base URL (no trailing slash). */
export function feedUrl(baseUrl: string, locale: Locale, feedId: string, format: FeedFormat): string {
  return baseUrl + feedPath(locale, feedId, format)
}

/** The HTML preview of a feed: `/{locale}/{feed}`. */
export function previewPath(locale: Locale, feedId: string): string {
  return `/${locale}/${feedId}`
}

/** The OPML list of one locale's feeds. */
export function localeOpmlPath(locale: Locale): string {
  return `/${locale}/feeds.opml`
}

/** The OPML list of every feed, its own text in `lang` when given. */
export function allOpmlPath(lang?: Locale): string {
  return lang === undefined ? '/feeds.opml' : `/feeds.opml?lang=${lang}`
}

/** The directory, in `lang` when given. */
export function directoryPath(lang?: Locale): string {
  return lang === undefined ? '/' : `/?lang=${lang}`
}

/** The language redirect of a feed: `/{feed}.{format}`. */
export function redirectPath(feedId: string, format: FeedFormat): string {
  return `/${feedId}.${format}`
}

/** A partner's keyed base: its feeds are `/p/{key}/{locale}/{feed}.{format}`, its OPML and page below it too. */
export function partnerBasePath(key: string): string {
  return `/p/${key}`
}

/**
 * A path as logs, metrics and problem documents may show it: a partner key replaced by `{key}`. Keys
 * are credentials; anything that records or echoes a path goes through here.
 */
export function redactPath(path: string): string {
  if (!path.startsWith('/p/')) return path
  const end = path.indexOf('/', 3)
  return end < 0 ? '/p/{key}' : `/p/{key}${path.slice(end)}`
}

/** The IPTC ninjs 3.1 list of a feed's window: `/{locale}/{feed}.ninjs.json`. */
export function ninjsFeedPath(locale: Locale, feedId: string): string {
  return `/${locale}/${feedId}${NINJS_SUFFIX}`
}

/** One story in one locale as an IPTC ninjs 3.1 item: `/{locale}/items/{id}.ninjs.json`. */
export function ninjsItemPath(locale: Locale, id: string): string {
  return `/${locale}/items/${id}${NINJS_SUFFIX}`
}

/** The change cursor of a locale: `/{locale}/changes`. */
export function changesPath(locale: Locale): string {
  return `/${locale}/changes`
}

/**
 * An RFC 5005 archive document of a feed: the stories of one month (UTC, by `publishedAt`) that left
 * the feed's window, `/{locale}/{feed}/archive/{YYYY-MM}.{format}`.
 */
export function archivePath(locale: Locale, feedId: string, month: string, format: FeedFormat): string {
  return `/${locale}/${feedId}/${ARCHIVE_SEGMENT}/${month}.${format}`
}

/** The absolute URL of an archive document under a public base URL. */
export function archiveUrl(
  baseUrl: string,
  locale: Locale,
  feedId: string,
  month: string,
  format: FeedFormat,
): string {
  return baseUrl + archivePath(locale, feedId, month, format)
}

export const ARCHIVE_SEGMENT = 'archive'
export const NINJS_SUFFIX = '.ninjs.json'
/** A story id as a path may carry it (the article schema's pattern). */
const ITEM_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** Whether a segment is a feed or page id as paths carry them. */
export const isSlug = (segment: string): boolean => SLUG.test(segment)

/** The kinds of resource the scheme names, with their templates (OpenAPI syntax). */
export const RESOURCE_TEMPLATES = {
  ninjsFeed: '/{locale}/{feed}.ninjs.json',
  ninjsItem: '/{locale}/items/{id}.ninjs.json',
  changes: '/{locale}/changes',
  archive: '/{locale}/{feed}/archive/{month}.{format}',
  feed: '/{locale}/{feed}.{format}',
  preview: '/{locale}/{feed}',
  localeOpml: '/{locale}/feeds.opml',
  allOpml: '/feeds.opml',
  directory: '/',
  redirect: '/{feed}.{format}',
  partnerFeed: '/p/{key}/{locale}/{feed}.{format}',
  partnerOpml: '/p/{key}/feeds.opml',
  partnerDirectory: '/p/{key}/',
  partnerChanges: '/p/{key}/{locale}/changes',
  partnerNinjsFeed: '/p/{key}/{locale}/{feed}.ninjs.json',
  partnerNinjsItem: '/p/{key}/{locale}/items/{id}.ninjs.json',
} as const

export type ResourceKind = keyof typeof RESOURCE_TEMPLATES

/**
 * What a path names. `locale` is the segment as sent when it is not a known locale (the caller says
 * which exist); `file` keeps the feed's last segment as sent, for messages.
 */
export type Resource =
  | { kind: 'feed'; locale: string; feedId: string; format: string; file: string }
  | { kind: 'preview'; locale: string; feedId: string }
  | { kind: 'localeOpml'; locale: string }
  | { kind: 'allOpml' }
  | { kind: 'directory' }
  | { kind: 'redirect'; feedId: string; format: FeedFormat }
  | { kind: 'partnerFeed'; key: string; locale: string; feedId: string; format: string; file: string }
  | { kind: 'partnerOpml'; key: string }
  | { kind: 'partnerDirectory'; key: string }
  | { kind: 'ninjsFeed'; locale: string; feedId: string }
  | { kind: 'ninjsItem'; locale: string; id: string }
  | { kind: 'changes'; locale: string }
  | { kind: 'partnerChanges'; key: string; locale: string }
  | { kind: 'partnerNinjsFeed'; key: string; locale: string; feedId: string }
  | { kind: 'partnerNinjsItem'; key: string; locale: string; id: string }
  /** `month` and `format` as sent: the caller says whether they name an archive that exists. */
  | { kind: 'archive'; locale: string; feedId: string; month: string; format: string }

/**
 * Reads a decoded URL path (no query). Feed-shaped paths (`/{segment}/{name}.{ext}`) are feeds
 * whatever their locale or format, so that an unknown one can be answered with what exists;
 * anything the scheme does not name is undefined.
 */
export function parsePath(path: string): Resource | undefined {
  if (path === '/') return { kind: 'directory' }
  if (path.charCodeAt(0) !== 47) return undefined
  const slash = path.indexOf('/', 1)
  if (slash < 0) {
    if (path === '/feeds.opml') return { kind: 'allOpml' }
    const name = path.slice(1)
    const dot = name.lastIndexOf('.')
    const feedId = name.slice(0, dot)
    const format = name.slice(dot + 1)
    return dot > 0 && SLUG.test(feedId) && isFormat(format) ? { kind: 'redirect', feedId, format } : undefined
  }
  if (path.startsWith('/p/')) return parsePartnerPath(path)
  const locale = path.slice(1, slash)
  const file = path.slice(slash + 1)
  if (locale === '') return undefined
  if (file.startsWith('items/') && file.endsWith(NINJS_SUFFIX)) {
    const id = file.slice('items/'.length, -NINJS_SUFFIX.length)
    return ITEM_ID.test(id) ? { kind: 'ninjsItem', locale, id } : undefined
  }
  const archive = parseArchiveFile(locale, file)
  if (archive) return archive
  if (file === '' || file.includes('/')) return undefined
  if (file === 'feeds.opml') return { kind: 'localeOpml', locale }
  // `changes` is not a feed id a catalogue may use: the cursor owns the name in every locale.
  if (file === 'changes') return { kind: 'changes', locale }
  if (file.endsWith(NINJS_SUFFIX)) {
    const feedId = file.slice(0, -NINJS_SUFFIX.length)
    return SLUG.test(feedId) ? { kind: 'ninjsFeed', locale, feedId } : undefined
  }
  const dot = file.lastIndexOf('.')
  if (dot < 0) return SLUG.test(file) ? { kind: 'preview', locale, feedId: file } : undefined
  if (dot === 0) return undefined
  return { kind: 'feed', locale, feedId: file.slice(0, dot), format: file.slice(dot + 1), file }
}

/** `{feed}/archive/{month}.{format}` below a locale, whatever the month and format say. */
function parseArchiveFile(locale: string, file: string): Resource | undefined {
  const parts = file.split('/')
  if (parts.length !== 3 || parts[1] !== ARCHIVE_SEGMENT || !SLUG.test(parts[0]!)) return undefined
  const name = parts[2]!
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return undefined
  return {
    kind: 'archive',
    locale,
    feedId: parts[0]!,
    month: name.slice(0, dot),
    format: name.slice(dot + 1),
  }
}

/**
 * `/p/{key}/…`: the partner's directory, OPML list, one of its feeds, a locale's change cursor, or a
 * ninjs list or item; the key is checked later, by the caller.
 */
function parsePartnerPath(path: string): Resource | undefined {
  const slash = path.indexOf('/', 3)
  if (slash < 0) return undefined
  const key = path.slice(3, slash)
  const rest = path.slice(slash)
  if (key === '') return undefined
  if (rest === '/') return { kind: 'partnerDirectory', key }
  if (rest === '/feeds.opml') return { kind: 'partnerOpml', key }
  const inner = parsePath(rest)
  if (inner?.kind === 'changes') return { kind: 'partnerChanges', key, locale: inner.locale }
  if (inner?.kind === 'ninjsFeed') return { ...inner, kind: 'partnerNinjsFeed', key }
  if (inner?.kind === 'ninjsItem') return { ...inner, kind: 'partnerNinjsItem', key }
  return inner?.kind === 'feed' ? { ...inner, kind: 'partnerFeed', key } : undefined
}

/** A feed path naming a known locale and format, or undefined (the feed itself may not exist). */
export function parseFeedPath(
  path: string,
): { locale: Locale; feedId: string; format: FeedFormat } | undefined {
  const resource = parsePath(path)
  if (resource?.kind !== 'feed' || !isLocale(resource.locale) || !isFormat(resource.format)) return undefined
  return { locale: resource.locale, feedId: resource.feedId, format: resource.format }
}
