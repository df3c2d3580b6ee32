import { lastChangeOf, type Article } from './article.ts'
import type { FeedDefinition } from './feed-definition.ts'

/** Does a feed carry this story? */
export function feedSelects(definition: FeedDefinition, article: Pick<Article, 'sections'>): boolean {
  if (definition.sections === 'all') return true
  const wanted = definition.sections
  return article.sections.some((s) => wanted.includes(s))
}

/**
 * The items of one feed in one locale: selected by section, newest publication first (ties by id, so
 * the order is the same wherever it is computed), cut to the feed's limit.
 */
export function selectItems(definition: FeedDefinition, articles: readonly Article[]): Article[] {
  return articles
    .filter((a) => feedSelects(definition, a))
    .sort(feedOrder)
    .slice(0, definition.limit)
}

/** The order of a feed's items: negative when `a` comes before `b`. */
export function feedOrder(a: Article, b: Article): number {
  return (
    Date.parse(b.publishedAt) - Date.parse(a.publishedAt) ||
    lastChangeOf(b) - lastChangeOf(a) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  )
}
