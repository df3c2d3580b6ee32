import { isLocale, type Locale } from './locale.ts'
import { ARCHIVE_SEGMENT, isSlug, NINJS_SUFFIX, parsePath } from './url-scheme.ts'

/** A path the URL scheme does not name but nearly does, and what it was meant to name. */
export type NearMiss =
  /** `/{locale}/items/{id}.ninjs.json` with an id no story may have. */
  | { kind: 'itemId'; locale: Locale; id: string }
  /** Below `/{locale}/items/`, but not an item URL (another suffix, no id, a folder). */
  | { kind: 'item'; locale: Locale }
  /** `/{locale}/{feed}/archive`, its folder, or a month without a format. */
  | { kind: 'archive'; locale: Locale; feedId: string }
  /** A path that names something once its trailing slashes are taken off. */
  | { kind: 'trailingSlash'; locale: Locale; suggestion: string }
  /** `/{locale}/` itself, which serves nothing. */
  | { kind: 'locale'; locale: Locale }

const ITEMS = 'items/'

/**
 * What a path that `parsePath` does not read was meant to name, when it is below a known locale and
 * close to a sync or feed URL; undefined otherwise. Only the not-found answer calls it.
 */
export function findNearMiss(path: string): NearMiss | undefined {
  const slash = path.indexOf('/', 1)
  const locale = path.slice(1, slash)
  if (slash < 0 || !isLocale(locale)) return undefined
  const rest = path.slice(slash + 1)
  if (rest === '') return { kind: 'locale', locale }
  if (rest.startsWith(ITEMS)) {
    const file = rest.slice(ITEMS.length)
    const id = file.slice(0, -NINJS_SUFFIX.length)
    if (file.endsWith(NINJS_SUFFIX) && id !== '') return { kind: 'itemId', locale, id }
    const stripped = path.replace(/\/+$/, '')
    return parsePath(stripped)?.kind === 'ninjsItem'
      ? { kind: 'trailingSlash', locale, suggestion: stripped }
      : { kind: 'item', locale }
  }
  const stripped = path.replace(/\/+$/, '')
  if (stripped !== path && parsePath(stripped)) return { kind: 'trailingSlash', locale, suggestion: stripped }
  const [feedId, segment] = rest.split('/')
  if (segment === ARCHIVE_SEGMENT && isSlug(feedId!)) return { kind: 'archive', locale, feedId: feedId! }
  return undefined
}
