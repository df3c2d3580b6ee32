import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LANGUAGE_TAG, LOCALES, type Locale } from '../../src/domain/locale.ts'
import { DERIVED_RESOURCES, deriveResource } from '../../src/i18n/derive-resources.ts'
import { translatorFor } from '../../src/i18n/translator.ts'
import { sourceLettersIn } from '../support/script-letters.ts'
import { ROOT } from '../support/samples.ts'

const PLURAL = /_(zero|one|two|few|many|other)$/

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown
}

function namespacesOf(locale: string): string[] {
  return readdirSync(join(ROOT, 'locales', locale))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.overrides.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort()
}

/** Every leaf key path of a resource tree. */
function leafKeys(value: unknown, prefix = ''): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k))
  }
  return [prefix]
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings)
  return []
}

const resource = (locale: string, ns: string) => readJson(join(ROOT, 'locales', locale, `${ns}.json`))

describe('locale resources', () => {
  const namespaces = namespacesOf('zh')

  it('exist for every locale, with the same namespaces', () => {
    for (const locale of LOCALES) expect(namespacesOf(locale), locale).toEqual(namespaces)
  })

  // i18next would fall back uz-Cyrl → uz and kk-Latn → kk and show the other script; there is no
  // fallback, so a key one locale lacks must fail here rather than show up as a raw key.
  it.each(namespaces)('%s: every locale has every key another has (plural forms aside)', (ns) => {
    const keysOf = (locale: string) =>
      new Set(leafKeys(resource(locale, ns)).map((k) => k.replace(PLURAL, '')))
    const union = new Set(LOCALES.flatMap((l) => [...keysOf(l)]))
    for (const locale of LOCALES) {
      const missing = [...union].filter((k) => !keysOf(locale).has(k))
      expect(missing, `${locale}/${ns}.json lacks`).toEqual([])
    }
  })

  // English is the problem documents' default language: it must know every problem text the locales do.
  it('en/problems.json has every key the locales have (plural forms aside)', () => {
    const keysOf = (locale: string) =>
      new Set(leafKeys(resource(locale, 'problems')).map((k) => k.replace(PLURAL, '')))
    const missing = [...keysOf('zh')].filter((k) => !keysOf('en').has(k))
    expect(missing, 'en/problems.json lacks').toEqual([])
    const extra = [...keysOf('en')].filter((k) => !keysOf('zh').has(k))
    expect(extra, 'only en/problems.json has').toEqual([])
  })

  it.each(namespaces)('%s: plural keys have every CLDR category of the language', (ns) => {
    for (const locale of LOCALES) {
      const keys = leafKeys(resource(locale, ns))
      const bases = new Set(keys.filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')))
      const categories = new Intl.PluralRules(LANGUAGE_TAG[locale]).resolvedOptions().pluralCategories
      for (const base of bases) {
        for (const category of categories) {
          expect(keys, `${locale}/${ns}.json ${base}_${category}`).toContain(`${base}_${category}`)
        }
      }
    }
  })

  it.each(Object.keys(DERIVED_RESOURCES) as (keyof typeof DERIVED_RESOURCES)[])(
    '%s files are what `npm run locales:derive` makes of their source locale',
    (variant) => {
      for (const ns of namespaces) {
        const overridesPath = join(ROOT, 'locales', variant, `${ns}.overrides.json`)
        const overrides = existsSync(overridesPath) ? readJson(overridesPath) : {}
        const expected = deriveResource(variant, resource(DERIVED_RESOURCES[variant], ns), overrides)
        expect(resource(variant, ns), `locales/${variant}/${ns}.json`).toEqual(expected)
      }
    },
  )

  // Names, syntax and protocol words that stay Latin in every script.
  const OWN_NAMES = new RegExp(
    [
      String.raw`\{\{[^}]*\}\}`,
      String.raw`\$t\([^)]*\)`,
      String.raw`https?://\S+`,
      String.raw`(?<![\p{L}\p{N}])/\S+`,
      String.raw`\b[A-Z][a-z]+(?:-[A-Z][a-z]+)+\b`,
      String.raw`\b[a-z]+/[a-z0-9.+-]+`,
      String.raw`HMAC-SHA256|\bt=|\bv1=|<hex>|<t>|\bUnix\b|Authorization: Bearer <[A-Z_]+>`,
      String.raw`Authorization: Bearer\b|\b[A-Z]+_[A-Z_]+\b|\b(?:GET|POST)\b`,
      String.raw`Silkfeed`,
      // Query parameters and fields of the change cursor, named as the client sends them.
      String.raw`\bnext_cursor\b|\bwait\b`,
      String.raw`\b(?:SCO|RSS|Atom|JSON Feed|JSON|OPML|HTTP|URL|UTF-8|UTC|Host)\b`,
    ].join('|'),
    'gu',
  )
  it.each([
    ['uz-cyrl', /[A-Za-zʻʼ]/],
    ['kk-latn', /[\u0400-\u04FF]/],
    ['uz', /[\u0400-\u04FF]/],
  ] as [Locale, RegExp][])('%s text is in its own script only', (locale, foreign) => {
    for (const ns of namespaces) {
      for (const text of strings(resource(locale, ns))) {
        expect(text.replace(OWN_NAMES, ''), `${locale}/${ns}: ${text}`).not.toMatch(foreign)
      }
    }
  })

  // LOCALES.md §4: oʻ and gʻ are o/g + U+02BB, the tutuq belgisi is U+02BC; never ‘ ’ ' ` ´.
  it('uz text writes oʻ/gʻ with U+02BB and the tutuq belgisi with U+02BC, not a look-alike', () => {
    const lookAlike = /[OoGg][‘’'`´]|(?<=\p{L})[‘’'`´](?=\p{L})/u
    for (const ns of namespaces) {
      for (const text of strings(resource('uz', ns))) {
        expect(text, `uz/${ns}: ${text}`).not.toMatch(lookAlike)
      }
    }
  })

  it('zh-hant text has no Simplified-only character, not even right after a URL path', () => {
    for (const ns of namespaces) {
      for (const text of strings(resource('zh-hant', ns))) {
        expect(sourceLettersIn('zh-hant', text), `zh-hant/${ns}: ${text}`).toEqual([])
      }
    }
    expect(
      deriveResource('zh-hant', {
        d: '条目列表（/{{locale}}/{feed}.ninjs.json）补齐，再不带游标从 /x/y 开始',
      }),
    ).toEqual({
      d: '條目列表（/{{locale}}/{feed}.ninjs.json）補齊，再不帶游標從 /x/y 開始',
    })
  })

  it('zh-hant text quotes with corner brackets 「」『』, never “” or ‘’ (LOCALES.md §6)', () => {
    for (const ns of namespaces) {
      for (const text of strings(resource('zh-hant', ns))) {
        expect(text, `zh-hant/${ns}: ${text}`).not.toMatch(/[“”‘’]/)
      }
    }
  })

  it('a key a locale lacks comes back as the key, never as another script', () => {
    const t = translatorFor('uz-cyrl')
    expect(t('feeds.latest.title')).toMatch(/[\u0400-\u04FF]/)
    expect(t('no.such.key')).toBe('no.such.key')
  })
})
