import type { TFunction } from 'i18next'
import { TIME_ZONE, type Locale } from '../domain/locale.ts'
import { calendarFields } from './dates.ts'

/**
 * A date as a reader of `locale` writes it in running text (LOCALES.md §6), in the newsroom's time
 * zone: `2022年11月6日 15:12`, `6 ноября 2022 г., 10:12`, `2022 ж. 6 қараша, 13:12`,
 * `2022-yil 6-noyabr, 12:12`. Month names and the pattern come from `locales/<code>/pages.json`
 * and only numbers from Intl (en-US), because workerd has no Kazakh or Uzbek ICU data.
 */
export function formatLocalDate(instant: number, locale: Locale, t: TFunction<'pages'>): string {
  const f = calendarFields(instant, TIME_ZONE[locale])
  return t('date.pattern', {
    year: String(f.year),
    month: t(`date.months.${f.month}`),
    day: String(f.day),
    hour: String(f.hour).padStart(2, '0'),
    minute: String(f.minute).padStart(2, '0'),
  })
}
