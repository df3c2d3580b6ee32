import type { FeedDefinition } from './feed-definition.ts'

/**
 * The Cache-Control of a feed: its policy, with `max-age` and `stale-while-revalidate` cut so that
 * together they end by the next release from embargo (`stale-if-error` stays: an origin that cannot
 * answer has nothing newer to give).
 */
export function feedCacheControl(
  policy: FeedDefinition['cache'],
  nextRelease: number | undefined,
  now: number,
): string {
  let { maxAge, staleWhileRevalidate } = policy
  if (nextRelease !== undefined) {
    const left = Math.max(0, Math.floor((nextRelease - now) / 1000))
    maxAge = Math.min(maxAge, left)
    staleWhileRevalidate = Math.min(staleWhileRevalidate, left - maxAge)
  }
  return `public, max-age=${maxAge}, stale-while-revalidate=${staleWhileRevalidate}, stale-if-error=${policy.staleIfError}`
}
