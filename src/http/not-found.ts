import type { NotFoundHandler } from 'hono'
import { monthOf } from '../domain/archive-months.ts'
import { isLocale, LOCALES, type Locale } from '../domain/locale.ts'
import { findNearMiss, splitPartnerBase, type NearMiss } from '../domain/near-miss.ts'
import { parsePath, redactPath } from '../domain/url-scheme.ts'
import { candidatesFor } from './accept-language.ts'
import type { AppEnv } from './context.ts'
import { AppError, negotiateProblemLanguage, problemResponse, type ProblemTexts } from './errors.ts'

/** A hint of `routeHints` in problems.json and the values it names. */
type Hint = { hint: string } & Record<string, string>

/** What a near miss (an item id aside, which has its own 400) is told to a client. */
function hintOf(miss: Exclude<NearMiss, { kind: 'itemId' }>, now: number): Hint {
  const hint = (name: string, params: Record<string, string> = {}) => ({
    hint: `routeHints.${name}`,
    ...params,
  })
  switch (miss.kind) {
    case 'item':
      return hint('item', { base: miss.base, locale: miss.locale })
    case 'locale':
      return hint(miss.base === '' ? 'locale' : 'partnerLocale', { base: miss.base, locale: miss.locale })
    case 'partnerBase':
      return hint('partnerBase', { base: miss.base })
    case 'archive':
      return hint('archive', { locale: miss.locale, feed: miss.feedId, example: monthOf(now) })
    case 'trailingSlash':
      return hint('trailingSlash', { suggestion: miss.suggestion })
  }
}

/** A path segment written as a language tag (`RU`, `zh_Hant`, `uz-latn`, `en`): maybe a locale meant. */
const TAG = /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/

/**
 * The locale a tag that is none stands for, when it differs in case, `_` for `-`, or script and
 * region as Accept-Language reads them (`RU` ru, `zh-Hant` zh-hant, `uz-Latn` uz, `kk-Cyrl` kk).
 */
function meantLocale(segment: string): Locale | undefined {
  const tag = segment.toLowerCase().replace(/_/g, '-')
  if (!TAG.test(tag)) return undefined
  const candidates = candidatesFor(tag)
  return candidates === '*' ? undefined : candidates[0]
}

/**
 * The 404 of a (redacted) path whose locale segment is none but would name something with one: the
 * locales that exist, and, when the segment is another spelling of one, that one and the URL meant
 * (`LOCALE_NEAR_MISS`). Undefined for a known locale or a path that names nothing whatever its locale.
 */
export function localeMiss(path: string, now: number): AppError | undefined {
  const { base, rest } = splitPartnerBase(path)
  const slash = rest.indexOf('/', 1)
  const sent = rest.slice(1, slash)
  if (slash < 0 || isLocale(sent) || !TAG.test(sent.toLowerCase().replace(/_/g, '-'))) return undefined
  const meant = meantLocale(sent)
  const corrected = `${base}/${meant ?? LOCALES[0]}${rest.slice(slash)}`
  const miss = parsePath(corrected) ? undefined : findNearMiss(corrected)
  if (!parsePath(corrected) && !miss) return undefined
  const available = LOCALES.join(', ')
  if (!meant) return new AppError('LOCALE_NOT_FOUND', { locale: sent, available })
  const told =
    miss === undefined
      ? { hint: 'routeHints.address', suggestion: corrected }
      : hintOf(miss.kind === 'itemId' ? { ...miss, kind: 'item' } : miss, now)
  return new AppError('LOCALE_NEAR_MISS', { locale: meant, ...told, sent, available }, [], {}, ['hint'])
}

/**
 * The error of a path nothing serves: for one close to a sync or feed URL (see `findNearMiss`), a
 * 400 for an item id no story may have, else a 404 whose detail says what the URL looks like; below
 * a locale that is none, the 404 naming the locales (`localeMiss`); for anything else, the 404 that
 * points to the feeds.
 */
function notFoundError(path: string, now: number): AppError {
  const miss = findNearMiss(path)
  if (miss?.kind === 'itemId') {
    return new AppError('ITEM_ID_INVALID', { id: miss.id, base: miss.base, locale: miss.locale })
  }
  if (miss) return new AppError('ROUTE_NEAR_MISS', { path, ...hintOf(miss, now) }, [], {}, ['hint'])
  return localeMiss(path, now) ?? new AppError('ROUTE_NOT_FOUND', { path })
}

/** The app's answer to a path no route takes, in the client's language; partner keys redacted. */
export function notFoundHandler(texts: ProblemTexts, now: () => number): NotFoundHandler<AppEnv> {
  return (c) => {
    const path = redactPath(c.req.path)
    const language = negotiateProblemLanguage(c.req.header('accept-language'))
    return problemResponse(notFoundError(path, now()), language, path, texts)
  }
}
