import { describe, expect, it } from 'vitest'
import { negotiateLocale } from '../../src/http/accept-language.ts'
import { LANGUAGE_TAG, LOCALES, type Locale } from '../../src/domain/locale.ts'

describe('negotiateLocale (Accept-Language → locale)', () => {
  it.each<[string | undefined, Locale]>([
    // Plain languages and regions
    ['kk', 'kk'],
    ['kk-KZ', 'kk'],
    ['ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7', 'ru'],
    ['uz', 'uz'],
    ['uz-Latn-UZ', 'uz'],
    // Script subtags, in any case
    ['uz-Cyrl', 'uz-cyrl'],
    ['uz-cyrl', 'uz-cyrl'],
    ['UZ-CYRL-UZ', 'uz-cyrl'],
    ['kk-Latn', 'kk-latn'],
    ['kk-Cyrl', 'kk'],
    // Chinese: script wins over region; Traditional regions without a script
    ['zh-TW', 'zh-hant'],
    ['zh-HK', 'zh-hant'],
    ['zh-Hant', 'zh-hant'],
    ['zh-Hant-TW', 'zh-hant'],
    ['zh-Hant-HK', 'zh-hant'],
    ['zh-MO', 'zh-hant'],
    ['zh-Hans-HK', 'zh'],
    ['zh-CN', 'zh'],
    ['zh', 'zh'],
    ['zh_TW', 'zh-hant'],
    // q-values: the highest wins, then the first listed; q=0 refuses
    ['ru;q=0.5, kk;q=0.8', 'kk'],
    ['en, de;q=0.9, uz-Cyrl;q=0.2, ru;q=0.1', 'uz-cyrl'],
    ['kk;q=0.5, ru;q=0.5', 'kk'],
    ['kk;q=0, kk-Latn;q=0.1', 'kk-latn'],
    ['zh;q=0, ru;q=0.3', 'ru'],
    ['ru;q=1.000', 'ru'],
    // Nothing we have, a wildcard, or garbage: the default
    ['*', 'zh'],
    ['fr, *;q=0.5', 'zh'],
    ['en-US,en;q=0.9', 'zh'],
    ['', 'zh'],
    [undefined, 'zh'],
    ['!!!, ;;;, kk;q=abc, ru;q=2', 'zh'],
    ['ru;q=-1, 12345', 'zh'],
    [';q=1, =kk', 'zh'],
  ])('%j → %s', (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected)
  })

  it('maps every tag Silkfeed emits (LANGUAGE_TAG, e.g. zh-Hant-TW) back to its own locale', () => {
    for (const locale of LOCALES) expect(negotiateLocale(LANGUAGE_TAG[locale])).toBe(locale)
  })

  it('offers only what the feed has, falling back to the same language in the other script', () => {
    expect(negotiateLocale('uz-Cyrl', ['zh', 'ru', 'uz'])).toBe('uz')
    expect(negotiateLocale('zh-TW', ['zh', 'ru'])).toBe('zh')
    expect(negotiateLocale('fr', ['ru', 'kk'])).toBe('ru')
  })
})
