import i18next, { type TFunction } from 'i18next'
import type { Locale } from '../domain/locale.ts'
import zhFeeds from '../../locales/zh/feeds.json' with { type: 'json' }
import ruFeeds from '../../locales/ru/feeds.json' with { type: 'json' }
import kkFeeds from '../../locales/kk/feeds.json' with { type: 'json' }
import uzFeeds from '../../locales/uz/feeds.json' with { type: 'json' }
import zhProblems from '../../locales/zh/problems.json' with { type: 'json' }
import ruProblems from '../../locales/ru/problems.json' with { type: 'json' }
import kkProblems from '../../locales/kk/problems.json' with { type: 'json' }
import uzProblems from '../../locales/uz/problems.json' with { type: 'json' }
import enProblems from '../../locales/en/problems.json' with { type: 'json' }

/** Languages that problem documents can be written in; English is the API's default. */
export const PROBLEM_LANGUAGES = ['en', 'zh', 'ru', 'kk', 'uz'] as const
export type ProblemLanguage = (typeof PROBLEM_LANGUAGES)[number]

/** Every resource, bundled so the Worker needs no filesystem. */
export const RESOURCES = {
  zh: { feeds: zhFeeds, problems: zhProblems },
  ru: { feeds: ruFeeds, problems: ruProblems },
  kk: { feeds: kkFeeds, problems: kkProblems },
  uz: { feeds: uzFeeds, problems: uzProblems },
  en: { problems: enProblems },
}

const i18n = i18next.createInstance()
// No fallback language: a missing key must show up as missing, never as text in another script.
void i18n.init({
  resources: RESOURCES,
  ns: ['feeds', 'problems'],
  defaultNS: 'feeds',
  fallbackLng: false,
  load: 'currentOnly',
  initAsync: false,
  interpolation: { escapeValue: false },
  returnNull: false,
})

/** A translator fixed to one locale's feed texts; never changes a shared language. */
export function translatorFor(locale: Locale): TFunction<'feeds'> {
  return i18n.getFixedT(locale, 'feeds')
}

/** A translator for problem documents in one language. */
export function problemTranslatorFor(language: ProblemLanguage): TFunction<'problems'> {
  return i18n.getFixedT(language, 'problems')
}
