import { LANGUAGE_TAG } from '../domain/locale.ts'
import type { Problem } from '../domain/problem.ts'
import { candidatesFor } from './accept-language.ts'
import { byPreference, parseWeightedList } from './q-values.ts'
import { PROBLEM_LANGUAGES, problemTranslatorFor, type ProblemLanguage } from '../i18n/translator.ts'

/** Every failure a client can cause or meet, with its HTTP status. */
export const STATUS = {
  FEED_NOT_FOUND: 404,
  LOCALE_NOT_FOUND: 404,
  FORMAT_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  BAD_REQUEST: 400,
  STORAGE_UNAVAILABLE: 503,
  INTERNAL: 500,
  INVALID_PAYLOAD: 422,
  BAD_SIGNATURE: 401,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MALFORMED_JSON: 400,
  IDEMPOTENCY_CONFLICT: 409,
  METRICS_UNAUTHORIZED: 401,
  NOT_CONFIGURED: 503,
} as const

export type ErrorCode = keyof typeof STATUS

/** A failure with a code; its title and detail are localized from `locales/<lang>/problems.json`. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** Values interpolated into the localized detail. */
    readonly params: Record<string, string | number> = {},
    readonly problems: Problem[] = [],
    readonly headers: Record<string, string> = {},
    /** Params whose values are keys in problems.json, translated before interpolation. */
    readonly translatedParams: readonly string[] = [],
  ) {
    super(`${code} ${JSON.stringify(params)}`)
  }

  get status(): number {
    return STATUS[this.code]
  }
}

/** The RFC 9457 problem document for an error, in the client's language. */
export function problemResponse(error: AppError, language: ProblemLanguage, instance: string): Response {
  const t = problemTranslatorFor(language)
  const body = {
    type: `urn:silkfeed:problem:${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: t(`${error.code}.title`),
    status: error.status,
    detail: t(`${error.code}.detail`, localizeParams(error, t)),
    instance,
    code: error.code,
    ...(error.problems.length > 0 ? { problems: error.problems } : {}),
  }
  return new Response(JSON.stringify(body, null, 2), {
    status: error.status,
    headers: {
      'content-type': 'application/problem+json; charset=utf-8',
      'content-language': language === 'en' ? 'en' : LANGUAGE_TAG[language],
      'cache-control': 'no-store',
      ...error.headers,
    },
  })
}

function localizeParams(error: AppError, t: (key: string) => string): Record<string, string | number> {
  const params = { ...error.params }
  for (const name of error.translatedParams) params[name] = t(String(params[name]))
  return params
}

/**
 * Picks the problem language from Accept-Language: the most preferred range (q-values as for every
 * weighted header) that is English or one of the feed locales, scripts read as for pages
 * (`uz-Cyrl` → uz-cyrl); English by default.
 */
export function negotiateProblemLanguage(header: string | undefined): ProblemLanguage {
  for (const { value, q } of byPreference(parseWeightedList(header))) {
    if (q === 0) continue
    if (value === 'en' || value.startsWith('en-')) return 'en'
    const candidates = candidatesFor(value.replace(/_/g, '-'))
    if (candidates !== '*' && candidates[0]) return candidates[0]
  }
  return 'en'
}
