import { BoundedCache, CACHE_BOUNDS } from '../domain/bounded-cache.ts'
import type { ProblemTexts } from './errors.ts'
import type { HmacKeys } from './signature.ts'

/**
 * The caches the app keeps across requests. The composition root makes them (`buildDeps`), one set
 * per app, with the bounds of {@link CACHE_BOUNDS}; the modules that use them are handed them.
 */
export interface AppCaches {
  problemTexts: ProblemTexts
  hmacKeys: HmacKeys
}

/** A new, empty set of the app's caches. */
export function createAppCaches(): AppCaches {
  return {
    problemTexts: new BoundedCache(CACHE_BOUNDS.problemTexts),
    hmacKeys: new BoundedCache(CACHE_BOUNDS.hmacKeys),
  }
}
