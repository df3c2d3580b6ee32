import { describe, expect, it } from 'vitest'
import { LOCALES, type Locale } from '../../src/domain/locale.ts'
import { pagesTranslatorFor } from '../../src/i18n/translator.ts'
import { formatLocalDate } from '../../src/render/local-dates.ts'

const sample = Date.parse('2022-11-06T15:12:00+08:00')

describe('dates on the pages, spelled from locale resources', () => {
  // Expected values written out from LOCALES.md §6, in each newsroom's time zone.
  it.each<[Locale, string]>([
    ['zh', '2022年11月6日 15:12'],
    ['zh-hant', '2022年11月6日 15:12'],
    ['ru', '6 ноября 2022 г., 10:12'],
    ['kk', '2022 ж. 6 қараша, 13:12'],
    ['kk-latn', '2022 j. 6 qaraşa, 13:12'],
    ['uz', '2022-yil 6-noyabr, 12:12'],
    ['uz-cyrl', '2022-йил 6-ноябр, 12:12'],
  ])('in %s: %s', (locale, expected) => {
    expect(formatLocalDate(sample, locale, pagesTranslatorFor(locale))).toBe(expected)
  })

  it('name every month of the year in every locale', () => {
    for (const locale of LOCALES) {
      const names = new Set<string>()
      for (let month = 1; month <= 12; month++) {
        const instant = Date.UTC(2023, month - 1, 15, 6)
        const text = formatLocalDate(instant, locale, pagesTranslatorFor(locale))
        expect(text, `${locale} ${month}`).not.toMatch(/date\.|\{\{/)
        names.add(text)
      }
      expect(names.size, locale).toBe(12)
    }
  })

  it('use the newsroom time zone across midnight and the 2024 Kazakh offset change', () => {
    const lateUtc = Date.parse('2022-12-31T20:30:00Z')
    expect(formatLocalDate(lateUtc, 'ru', pagesTranslatorFor('ru'))).toBe('31 декабря 2022 г., 23:30')
    expect(formatLocalDate(lateUtc, 'kk', pagesTranslatorFor('kk'))).toBe('2023 ж. 1 қаңтар, 02:30')
    expect(formatLocalDate(Date.parse('2025-03-08T00:00:00Z'), 'kk', pagesTranslatorFor('kk'))).toBe(
      '2025 ж. 8 наурыз, 05:00',
    )
    expect(formatLocalDate(Date.parse('2023-09-01T04:05:00Z'), 'uz', pagesTranslatorFor('uz'))).toBe(
      '2023-yil 1-sentabr, 09:05',
    )
  })
})
