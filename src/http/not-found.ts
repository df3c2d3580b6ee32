import type { NotFoundHandler } from 'hono'
import { monthOf } from '../domain/archive-months.ts'
import { findNearMiss } from '../domain/near-miss.ts'
import { redactPath } from '../domain/url-scheme.ts'
import type { AppEnv } from './context.ts'
import { AppError, negotiateProblemLanguage, problemResponse, type ProblemTexts } from './errors.ts'

/**
 * The error of a path nothing serves: for one close to a sync or feed URL (see `findNearMiss`), a
 * 400 for an item id no story may have, else a 404 whose detail says what the URL looks like; for
 * anything else, the 404 that points to the feeds.
 */
function notFoundError(path: string, now: number): AppError {
  const miss = findNearMiss(path)
  const hint = (name: string, params: Record<string, string> = {}) =>
    new AppError('ROUTE_NEAR_MISS', { path, hint: `routeHints.${name}`, ...params }, [], {}, ['hint'])
  switch (miss?.kind) {
    case undefined:
      return new AppError('ROUTE_NOT_FOUND', { path })
    case 'itemId':
      return new AppError('ITEM_ID_INVALID', { id: miss.id, locale: miss.locale })
    case 'item':
    case 'locale':
      return hint(miss.kind, { locale: miss.locale })
    case 'archive':
      return hint('archive', { locale: miss.locale, feed: miss.feedId, example: monthOf(now) })
    case 'trailingSlash':
      return hint('trailingSlash', { suggestion: miss.suggestion })
  }
}

/** The app's answer to a path no route takes, in the client's language; partner keys redacted. */
export function notFoundHandler(texts: ProblemTexts, now: () => number): NotFoundHandler<AppEnv> {
  return (c) => {
    const path = redactPath(c.req.path)
    const language = negotiateProblemLanguage(c.req.header('accept-language'))
    return problemResponse(notFoundError(path, now()), language, path, texts)
  }
}
