/** The closed list of feed locales: one source for the zod enum, the TS union and the routes. */
export const LOCALES = ['zh', 'ru', 'kk', 'uz', 'uz-cyrl', 'kk-latn', 'zh-hant'] as const
export type Locale = (typeof LOCALES)[number]

/**
 * BCP 47 tag for xml:lang, JSON Feed `language`, Content-Language and hreflang (LOCALES.md §1).
 * zh-hant is `zh-Hant-TW`, not bare `zh-Hant`: it is derived with OpenCC s2tw, i.e. in the Taiwan
 * standard forms, which LOCALES.md §1 tags `zh-Hant-TW` (the URL segment stays `zh-hant`).
 */
export const LANGUAGE_TAG: Record<Locale, string> = {
  zh: 'zh-Hans',
  ru: 'ru',
  kk: 'kk',
  uz: 'uz-Latn',
  'uz-cyrl': 'uz-Cyrl',
  'kk-latn': 'kk-Latn',
  'zh-hant': 'zh-Hant-TW',
}

/** RSS 2.0 `<language>` value (legacy readers know `zh-cn` and `zh-tw`). */
export const RSS_LANGUAGE: Record<Locale, string> = {
  zh: 'zh-cn',
  ru: 'ru',
  kk: 'kk',
  uz: 'uz-Latn',
  'uz-cyrl': 'uz-Cyrl',
  'kk-latn': 'kk-Latn',
  'zh-hant': 'zh-tw',
}

/** The newsroom's time zone per locale: feed dates carry its offset. */
export const TIME_ZONE: Record<Locale, string> = {
  zh: 'Asia/Shanghai',
  ru: 'Europe/Moscow',
  kk: 'Asia/Almaty',
  uz: 'Asia/Tashkent',
  'uz-cyrl': 'Asia/Tashkent',
  'kk-latn': 'Asia/Almaty',
  'zh-hant': 'Asia/Taipei',
}

/** Narrows an arbitrary string (a URL segment) to a locale. */
export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value)
}
