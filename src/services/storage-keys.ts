import type { FeedFormat } from '../domain/feed-definition.ts'
import type { Locale } from '../domain/locale.ts'

/** The bucket layout, in one place. */
export const KEYS = {
  articlePrefix: (locale: Locale) => `articles/${locale}/`,
  article: (locale: Locale, id: string) => `articles/${locale}/${id}.json`,
  rendered: (feedId: string, locale: Locale, format: FeedFormat) => `rendered/${feedId}/${locale}.${format}`,
}
