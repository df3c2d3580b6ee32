import { DERIVATIONS } from '../domain/derive.ts'
import type { Locale } from '../domain/locale.ts'

/** The resource locales generated from another's files (`npm run locales:derive`), and their sources. */
export const DERIVED_RESOURCES = {
  'uz-cyrl': 'uz',
  'kk-latn': 'kk',
  'zh-hant': 'zh',
} as const satisfies Partial<Record<Locale, Locale>>

// What must reach the variant untouched: i18next interpolations and nestings, URL paths such as
// /{locale}/{feed}.{rss|atom|json}, HTTP header names (Idempotency-Key) and media types. A path is
// printable ASCII (braces included): it ends at the first space or non-ASCII character, so that
// Chinese text right after it (…ninjs.json）补齐) is still converted.
const PLACEHOLDER =
  /(\{\{[^}]*\}\}|\$t\([^)]*\)|(?<![\p{L}\p{N}])\/[!-~]+|\b[A-Z][a-z]+(?:-[A-Z][a-z]+)+\b|\b[a-z]+\/[a-z0-9.+-]+)/u

/** A resource tree with every string converted by `convert`, placeholders kept. */
function mapStrings(value: unknown, convert: (text: string) => string): unknown {
  if (typeof value === 'string') {
    return value
      .split(PLACEHOLDER)
      .map((part, i) => (i % 2 === 1 ? part : convert(part)))
      .join('')
  }
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, convert))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, convert)]))
  }
  return value
}

/** `overrides` laid over `base`, object by object. */
function overlay(base: unknown, overrides: unknown): unknown {
  if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides)) return overrides ?? base
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) }
  for (const [k, v] of Object.entries(overrides)) out[k] = overlay(out[k], v)
  return out
}

/**
 * One namespace of a derived resource locale: the source locale's strings converted by the same
 * rules ingest uses for articles, then the hand-written overrides (for the few strings no rule gets
 * right, such as a language's name for itself).
 */
export function deriveResource(
  variant: keyof typeof DERIVED_RESOURCES,
  source: unknown,
  overrides: unknown = {},
): unknown {
  const mapping = DERIVATIONS[DERIVED_RESOURCES[variant]]?.[variant]
  if (!mapping) throw new Error(`no derivation for ${variant}`)
  return overlay(mapStrings(source, mapping.text), overrides)
}
