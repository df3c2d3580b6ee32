import { LOCALES, type Locale } from '../domain/locale.ts'
import { parseWeightedList } from './q-values.ts'

/** The locale a visitor gets when Accept-Language names none we have (DESIGN.md: Chinese first). */
const DEFAULT_LOCALE: Locale = 'zh'

// Regions whose Chinese is written in Traditional characters when a range names no script.
const TRADITIONAL_REGIONS = new Set(['tw', 'hk', 'mo'])

/**
 * The locales one language range asks for, best first (RFC 4647 lookup, with script and region
 * read the way browsers send them): `uz-Cyrl` → uz-cyrl then uz, `zh-TW` → zh-hant then zh,
 * `kk-KZ` → kk. `*` is answered by the caller's default.
 */
export function candidatesFor(range: string): Locale[] | '*' {
  if (range === '*') return '*'
  const [language, ...rest] = range.split('-')
  const script = rest.find((s) => s.length === 4 && /^[a-z]+$/.test(s))
  const region = rest.find((s) => s.length === 2 || /^\d{3}$/.test(s))
  switch (language) {
    case 'zh':
      if (script === 'hant' || (!script && region !== undefined && TRADITIONAL_REGIONS.has(region))) {
        return ['zh-hant', 'zh']
      }
      return ['zh', 'zh-hant']
    case 'ru':
      return ['ru']
    case 'kk':
      return script === 'latn' ? ['kk-latn', 'kk'] : ['kk', 'kk-latn']
    case 'uz':
      return script === 'cyrl' ? ['uz-cyrl', 'uz'] : ['uz', 'uz-cyrl']
    default:
      return []
  }
}

const RANGE = /^(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$/

/**
 * Picks the best of `available` for an Accept-Language header (RFC 9110 §12.5.4): ranges by
 * q-value, then by position; `q=0` rules a locale out; malformed ranges are ignored; a range in
 * another script of an offered language still beats the default. Pure.
 */
export function negotiateLocale(
  header: string | undefined,
  available: readonly Locale[] = LOCALES,
  fallback: Locale = DEFAULT_LOCALE,
): Locale {
  const ranges = parseWeightedList(header)
    .map(({ value, q, index }) => ({ range: value.replace(/_/g, '-'), q, index }))
    .filter(({ range }) => RANGE.test(range))
  // Exact locales refused with q=0 (`kk;q=0` refuses kk, not kk-latn).
  const refused = new Set<Locale>()
  for (const { range, q } of ranges) {
    const candidates = candidatesFor(range)
    if (q === 0 && candidates !== '*' && candidates[0]) refused.add(candidates[0])
  }
  const open = available.filter((l) => !refused.has(l))
  const pickDefault = (): Locale =>
    open.includes(fallback)
      ? fallback
      : (open[0] ?? (available.includes(fallback) ? fallback : available[0]!))
  ranges.sort((a, b) => b.q - a.q || a.index - b.index)
  for (const { range, q } of ranges) {
    if (q === 0) continue
    const candidates = candidatesFor(range)
    if (candidates === '*') return pickDefault()
    const match = candidates.find((c) => open.includes(c))
    if (match) return match
  }
  return pickDefault()
}
