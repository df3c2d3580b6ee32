import type { FeedFormat } from '../domain/feed-definition.ts'
import type { Locale } from '../domain/locale.ts'
import { fingerprint } from '../domain/version.ts'

const shardOf = (id: string) => fingerprint(id).slice(-2)

/** The bucket layout, in one place. Every key but `rendered/` and `snapshots/` is written once and never overwritten. */
export const KEYS = {
  /**
   * Every version of every story in a locale: `articles/<locale>/<shard>/<id>/<version>.json`. The
   * shard (two hex digits of the id's fingerprint) keeps every folder small, for stores that list a
   * prefix by walking folders (s3rver, MinIO on a file system) rather than by an index.
   */
  articlesOf: (locale: Locale) => `articles/${locale}/`,
  versionsOf: (locale: Locale, id: string) => `articles/${locale}/${shardOf(id)}/${id}/`,
  articleVersion: (locale: Locale, id: string, version: string) =>
    `articles/${locale}/${shardOf(id)}/${id}/${version}.json`,
  /** The append-only change log of a locale: `changes/<locale>/<time>-<random>.json`. */
  changesOf: (locale: Locale) => `changes/${locale}/`,
  snapshot: (feedId: string, locale: Locale) => `snapshots/${feedId}/${locale}.json`,
  /** Every rendered feed bundle. */
  renderedAll: 'rendered/',
  rendered: (feedId: string, locale: Locale, format: FeedFormat) => `rendered/${feedId}/${locale}.${format}`,
  idempotency: (digest: string) => `idempotency/${digest}.json`,
}

/** The suffix of a retraction in a story's version list; `~` sorts after every version of the same millisecond. */
export const RETRACTED_SUFFIX = '-~retracted'
