import type { FeedCatalog } from '../domain/feed-definition.ts'
import { parseFeedPath } from '../domain/url-scheme.ts'
import type { FeedTarget } from './resources.ts'

/**
 * The feed each feed path (`/{locale}/{feed}.{format}`) names, found once per path for the fronts
 * that answer before the app. Only paths naming a feed of the catalogue in one of its locales, and
 * that `make` turns into a target, are kept: never more entries than feeds, locales and formats.
 */
export function feedTargetsOf<T>(
  catalog: FeedCatalog,
  make: (named: FeedTarget, path: string) => T | undefined,
): (path: string) => T | undefined {
  const targets = new Map<string, T>()
  return (path) => {
    let found = targets.get(path)
    if (found === undefined) {
      const named = parseFeedPath(path)
      const definition = named && catalog.find(named.feedId)
      if (!named || !definition || !definition.locales.includes(named.locale)) return undefined
      found = make({ definition, locale: named.locale, format: named.format }, path)
      if (found === undefined) return undefined
      targets.set(path, found)
    }
    return found
  }
}
