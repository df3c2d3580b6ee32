import { isLocale, type Locale } from './locale.ts'
import { ARCHIVE_SEGMENT, isSlug, NINJS_SUFFIX, parsePath } from './url-scheme.ts'

/**
 * A path the URL scheme does not name but nearly does, and what it was meant to name. `base` is the
 * partner prefix the path began with (`/p/{key}`, as the redacted path has it), or '' for a public one.
 */
export type NearMiss =
  /** `{base}/{locale}/items/{id}.ninjs.json` with an id no story may have. */
  | { kind: 'itemId'; base: string; locale: Locale; id: string }
  /** Below `{base}/{locale}/items/`, but not an item URL (another suffix, no id, a folder). */
  | { kind: 'item'; base: string; locale: Locale }
  /** `/{locale}/{feed}/archive`, its folder, or a month without a format (no partner has archives). */
  | { kind: 'archive'; base: ''; locale: Locale; feedId: string }
  /** A path that names something once its trailing slashes are taken off. */
  | { kind: 'trailingSlash'; suggestion: string }
  /** `{base}/{locale}/` itself, which serves nothing. */
  | { kind: 'locale'; base: string; locale: Locale }
  /** `/p/{key}` with nothing after the key. */
  | { kind: 'partnerBase'; base: string }

const ITEMS = 'items/'

/** A path's partner prefix (`/p/{key}`, '' when it has none) and what follows it. */
export function splitPartnerBase(path: string): { base: string; rest: string } {
  if (!path.startsWith('/p/')) return { base: '', rest: path }
  const slash = path.indexOf('/', 3)
  return slash < 0 ? { base: path, rest: '' } : { base: path.slice(0, slash), rest: path.slice(slash) }
}

/**
 * What a path that `parsePath` does not read was meant to name, when it is close to a sync or feed
 * URL, public or a partner's; undefined otherwise. A partner's path is read as given: the not-found
 * answer passes it redacted, so that what is found quotes `/p/{key}`, never a key.
 */
export function findNearMiss(path: string): NearMiss | undefined {
  const { base, rest } = splitPartnerBase(path)
  if (base !== '' && rest === '') return { kind: 'partnerBase', base }
  const slash = rest.indexOf('/', 1)
  const locale = slash < 0 ? '' : rest.slice(1, slash)
  const file = rest.slice(slash + 1)
  const stripped = path.replace(/\/+$/, '')
  if (isLocale(locale) && file.startsWith(ITEMS)) {
    const name = file.slice(ITEMS.length)
    const id = name.slice(0, -NINJS_SUFFIX.length)
    if (name.endsWith(NINJS_SUFFIX) && id !== '') return { kind: 'itemId', base, locale, id }
    const kind = parsePath(stripped)?.kind
    return kind === 'ninjsItem' || kind === 'partnerNinjsItem'
      ? { kind: 'trailingSlash', suggestion: stripped }
      : { kind: 'item', base, locale }
  }
  // Only below a locale that exists: `/xx/changes/` is a matter of its locale (see the not-found answer).
  const named = stripped === path ? undefined : parsePath(stripped)
  if (named && (!('locale' in named) || isLocale(named.locale))) {
    return { kind: 'trailingSlash', suggestion: stripped }
  }
  if (!isLocale(locale)) return undefined
  if (file === '') return { kind: 'locale', base, locale }
  const [feedId, segment] = file.split('/')
  if (base === '' && segment === ARCHIVE_SEGMENT && isSlug(feedId!)) {
    return { kind: 'archive', base, locale, feedId: feedId! }
  }
  return undefined
}
