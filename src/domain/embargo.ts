import { embargoOf, type Article } from './article.ts'

/** Whether a story is still under embargo at `now` (ms). */
export function isEmbargoed(article: Pick<Article, 'embargoUntil'>, now: number): boolean {
  const embargo = embargoOf(article)
  return embargo !== undefined && embargo > now
}

/** When a story left its embargo, if it has by `now` (0 otherwise): a release is a change of its feeds. */
export function releasedAt(article: Pick<Article, 'embargoUntil'>, now: number): number {
  const embargo = embargoOf(article)
  return embargo !== undefined && embargo <= now ? embargo : 0
}

/** The earliest embargo among `articles` still ahead at `now`: when their feeds next change by time alone. */
export function nextRelease(
  articles: readonly Pick<Article, 'embargoUntil'>[],
  now: number,
): number | undefined {
  let next: number | undefined
  for (const article of articles) {
    const embargo = embargoOf(article)
    if (embargo !== undefined && embargo > now && (next === undefined || embargo < next)) next = embargo
  }
  return next
}

/** The earliest of some instants (ms), or undefined when none is given. */
export function earliest(instants: Iterable<number | undefined>): number | undefined {
  let first: number | undefined
  for (const at of instants) if (at !== undefined && (first === undefined || at < first)) first = at
  return first
}
