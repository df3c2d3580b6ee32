import i18next, { type TFunction } from 'i18next'
import type { Locale } from '../domain/locale.ts'
import type { Problem } from '../domain/problem.ts'
import zhFeeds from '../../locales/zh/feeds.json' with { type: 'json' }
import ruFeeds from '../../locales/ru/feeds.json' with { type: 'json' }
import kkFeeds from '../../locales/kk/feeds.json' with { type: 'json' }
import uzFeeds from '../../locales/uz/feeds.json' with { type: 'json' }
import uzCyrlFeeds from '../../locales/uz-cyrl/feeds.json' with { type: 'json' }
import kkLatnFeeds from '../../locales/kk-latn/feeds.json' with { type: 'json' }
import zhHantFeeds from '../../locales/zh-hant/feeds.json' with { type: 'json' }
import zhProblems from '../../locales/zh/problems.json' with { type: 'json' }
import ruProblems from '../../locales/ru/problems.json' with { type: 'json' }
import kkProblems from '../../locales/kk/problems.json' with { type: 'json' }
import uzProblems from '../../locales/uz/problems.json' with { type: 'json' }
import uzCyrlProblems from '../../locales/uz-cyrl/problems.json' with { type: 'json' }
import kkLatnProblems from '../../locales/kk-latn/problems.json' with { type: 'json' }
import zhHantProblems from '../../locales/zh-hant/problems.json' with { type: 'json' }
import enProblems from '../../locales/en/problems.json' with { type: 'json' }
import zhPages from '../../locales/zh/pages.json' with { type: 'json' }
import ruPages from '../../locales/ru/pages.json' with { type: 'json' }
import kkPages from '../../locales/kk/pages.json' with { type: 'json' }
import uzPages from '../../locales/uz/pages.json' with { type: 'json' }
import uzCyrlPages from '../../locales/uz-cyrl/pages.json' with { type: 'json' }
import kkLatnPages from '../../locales/kk-latn/pages.json' with { type: 'json' }
import zhHantPages from '../../locales/zh-hant/pages.json' with { type: 'json' }

/** Languages that problem documents can be written in; English is the API's default. */
export type ProblemLanguage = 'en' | Locale

/**
 * i18next's code for each locale. i18next rewrites `uz-cyrl` as `uz-Cyrl` itself, so resources are
 * keyed by the canonical form.
 */
const I18N_CODE: Record<Locale, string> = {
  zh: 'zh',
  ru: 'ru',
  kk: 'kk',
  uz: 'uz',
  'uz-cyrl': 'uz-Cyrl',
  'kk-latn': 'kk-Latn',
  'zh-hant': 'zh-Hant',
}

/** Every resource, bundled so the Worker needs no filesystem (keys: locale codes of src/domain/locale.ts). */
export const RESOURCES = {
  zh: { feeds: zhFeeds, problems: zhProblems, pages: zhPages },
  ru: { feeds: ruFeeds, problems: ruProblems, pages: ruPages },
  kk: { feeds: kkFeeds, problems: kkProblems, pages: kkPages },
  uz: { feeds: uzFeeds, problems: uzProblems, pages: uzPages },
  'uz-cyrl': { feeds: uzCyrlFeeds, problems: uzCyrlProblems, pages: uzCyrlPages },
  'kk-latn': { feeds: kkLatnFeeds, problems: kkLatnProblems, pages: kkLatnPages },
  'zh-hant': { feeds: zhHantFeeds, problems: zhHantProblems, pages: zhHantPages },
  en: { problems: enProblems },
}

// Made on first use, not at startup: a Worker serving stored feeds never needs it.
let i18n: ReturnType<typeof i18next.createInstance> | undefined

function instance(): ReturnType<typeof i18next.createInstance> {
  if (i18n) return i18n
  const instance = i18next.createInstance()
  // No fallback language, not even uz-Cyrl → uz (i18next's default): a missing key must show up as
  // missing, never as text in another script.
  void instance.init({
    resources: Object.fromEntries(
      Object.entries(RESOURCES).map(([code, namespaces]) => [
        code in I18N_CODE ? I18N_CODE[code as Locale] : code,
        namespaces,
      ]),
    ),
    ns: ['feeds', 'problems', 'pages'],
    defaultNS: 'feeds',
    fallbackLng: false,
    load: 'currentOnly',
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  })
  return (i18n = instance)
}

/** A translator fixed to one locale's feed texts; never changes a shared language. */
export function translatorFor(locale: Locale): TFunction<'feeds'> {
  return instance().getFixedT(I18N_CODE[locale], 'feeds')
}

/** A translator fixed to one locale's page texts (directory, previews, OPML, dates). */
export function pagesTranslatorFor(locale: Locale): TFunction<'pages'> {
  return instance().getFixedT(I18N_CODE[locale], 'pages')
}

/** A translator for problem documents in one language. */
export function problemTranslatorFor(language: ProblemLanguage): TFunction<'problems'> {
  return instance().getFixedT(language === 'en' ? 'en' : I18N_CODE[language], 'problems')
}

/** What to fix about one problem, in one language (`messages` in problems.json). */
export function problemMessage(problem: Problem, language: ProblemLanguage): string {
  return problemTranslatorFor(language)(`messages.${problem.key}`, problem.params ?? {})
}
