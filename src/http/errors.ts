import { LANGUAGE_TAG } from '../domain/locale.ts'
import { excerpt, type Problem } from '../domain/problem.ts'
import { candidatesFor } from './accept-language.ts'
import { byPreference, parseWeightedList } from './q-values.ts'
import { problemMessage, problemTranslatorFor, type ProblemLanguage } from '../i18n/translator.ts'
import type { BoundedCache } from '../domain/bounded-cache.ts'

/** Every failure a client can cause or meet, with its HTTP status. */
const STATUS = {
  FEED_NOT_FOUND: 404,
  /** A feed whose definition says `public: "none"`, asked for without a partner key. */
  FEED_PARTNERS_ONLY: 404,
  LOCALE_NOT_FOUND: 404,
  /** A locale written another way (`RU`, `zh_Hant`, `uz-Latn`): the detail names the one meant and its URL. */
  LOCALE_NEAR_MISS: 404,
  FORMAT_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  /** A path close to a sync or feed URL (a trailing slash, an archive without its month…). */
  ROUTE_NEAR_MISS: 404,
  /** `/{locale}/items/{id}.ninjs.json` with an id no story may have. */
  ITEM_ID_INVALID: 400,
  ITEM_NOT_FOUND: 404,
  CURSOR_INVALID: 400,
  CURSOR_EXPIRED: 410,
  WAIT_INVALID: 400,
  /** `?wait=` or `?cursor=` sent more than once. */
  QUERY_PARAMETER_REPEATED: 400,
  ARCHIVE_MONTH_INVALID: 400,
  /** A month before the first archived story or after the last (the future included). */
  ARCHIVE_MONTH_NOT_FOUND: 404,
  /** A feed whose stories all fit its window: no archive yet. */
  ARCHIVE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  /** Node's parser: a method token no route of the service knows (RFC 9110 §9.1). */
  METHOD_UNKNOWN: 400,
  /** Node's parser: a request line or header that is not HTTP/1.1 (the Host aside: BAD_REQUEST). */
  REQUEST_MALFORMED: 400,
  BAD_REQUEST: 400,
  STORAGE_UNAVAILABLE: 503,
  INTERNAL: 500,
  INVALID_PAYLOAD: 422,
  BAD_SIGNATURE: 401,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MALFORMED_JSON: 400,
  /** A body whose bytes are not UTF-8 (its JSON is never looked at). */
  BODY_NOT_UTF8: 400,
  IDEMPOTENCY_CONFLICT: 409,
  METRICS_UNAUTHORIZED: 401,
  NOT_CONFIGURED: 503,
  REQUEST_TIMEOUT: 408,
  /** Node's parser: headers not in within HEADERS_TIMEOUT_MS, or the request within REQUEST_TIMEOUT_MS. */
  REQUEST_TOO_SLOW: 408,
  HEADERS_TOO_LARGE: 431,
  WEBHOOK_BUSY: 503,
  PARTNER_KEY_INVALID: 401,
  PARTNER_FORBIDDEN: 403,
  QUOTA_EXCEEDED: 429,
  ADMIN_BAD_SIGNATURE: 401,
  PARTNER_NOT_FOUND: 404,
  /** nginx's code for a client that hung up before its request was read: no answer reaches it. */
  CLIENT_CLOSED: 499,
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
export function problemResponse(
  error: AppError,
  language: ProblemLanguage,
  instance: string,
  texts?: ProblemTexts,
): Response {
  const { title, detail } = problemText(error, language, texts)
  const body = {
    type: `urn:silkfeed:problem:${error.code.toLowerCase().replace(/_/g, '-')}`,
    title,
    status: error.status,
    detail,
    instance: excerpt(instance),
    code: error.code,
    ...(error.problems.length > 0
      ? {
          problems: error.problems.map((problem) => ({
            path: excerpt(problem.path, ECHOED_PATH_MAX),
            message: excerpt(problemMessage(problem, language), ECHOED_MESSAGE_MAX),
          })),
        }
      : {}),
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

// A problem quotes what the client sent only as a short excerpt: its own input, however large,
// never comes back whole. Paths and messages carry our words around such excerpts, hence more room.
const ECHOED_PATH_MAX = 200
const ECHOED_MESSAGE_MAX = 400
/** Params that hold the service's own lists (what exists, what is allowed), never the client's input. */
const OWN_PARAMS = new Set(['available', 'allowed', 'logs', 'feeds', 'locales'])

/**
 * Problem texts already translated, by language, code and parameters: translating costs more than
 * the rest of a problem answer, and a flood of the same refusals (unsigned webhooks, one unknown URL)
 * gets its texts from here. The app owns one (see `AppCaches`); without one, every text is translated.
 */
export type ProblemTexts = BoundedCache<string, { title: string; detail: string }>

/** The localized title and detail of an error. */
function problemText(
  error: AppError,
  language: ProblemLanguage,
  texts: ProblemTexts | undefined,
): { title: string; detail: string } {
  const key =
    texts && `${language} ${error.code} ${JSON.stringify(error.params)} ${error.translatedParams.join(',')}`
  let text = key === undefined ? undefined : texts?.get(key)
  if (!text) {
    const t = problemTranslatorFor(language)
    text = { title: t(`${error.code}.title`), detail: t(`${error.code}.detail`, localizeParams(error, t)) }
    if (key !== undefined && key.length <= 2000) texts?.set(key, text)
  }
  return text
}

function localizeParams(
  error: AppError,
  t: (key: string, params: Record<string, string | number>) => string,
): Record<string, string | number> {
  const params = { ...error.params }
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string' && !OWN_PARAMS.has(name)) params[name] = excerpt(value)
  }
  // A translated param is itself a message, which may use the error's other params (a position).
  const plain = { ...params }
  for (const name of error.translatedParams) params[name] = t(String(params[name]), plain)
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
