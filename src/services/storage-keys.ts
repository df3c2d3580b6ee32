import type { AudienceKey } from '../domain/audience.ts'
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
  articlesAll: 'articles/',
  articlesOf: (locale: Locale) => `articles/${locale}/`,
  versionsOf: (locale: Locale, id: string) => `articles/${locale}/${shardOf(id)}/${id}/`,
  /** The shard of a story in a locale: one listing of it tells the heads of every story in it. */
  shardOf: (locale: Locale, id: string) => `articles/${locale}/${shardOf(id)}/`,
  articleVersion: (locale: Locale, id: string, version: string) =>
    `articles/${locale}/${shardOf(id)}/${id}/${version}.json`,
  /** A story exists in some locale: stored before its first version (see story-index.ts). */
  storyMarkers: 'stories/',
  storyMarker: (id: string) => `stories/${shardOf(id)}/${id}.json`,
  /** Present once every stored story has its marker. */
  storiesIndexed: 'stories/indexed.json',
  /**
   * The append-only change log, one entry per republish holding its changes in every locale:
   * `log/<time>-<random>.json`. One listing tells a render what every locale's feeds missed.
   */
  log: 'log/',
  /** Where releases before the shared log kept one log per locale: only deleted now. */
  legacyChanges: 'changes/',
  /**
   * A feed's state in one locale (a checkpoint of the log). `v2`: snapshots of releases that kept
   * one log per locale are not read, so each feed is built once from the stored records instead.
   */
  snapshot: (feedId: string, locale: Locale) => `snapshots/v2/${feedId}/${locale}.json`,
  /** Every rendered feed bundle. */
  renderedAll: 'rendered/',
  /** Full text keeps the key it had before audiences; every other audience has a folder of its own. */
  rendered: (feedId: string, locale: Locale, format: FeedFormat, audience: AudienceKey = 'full') =>
    audience === 'full'
      ? `rendered/${feedId}/${locale}.${format}`
      : `rendered/${feedId}/${audience}/${locale}.${format}`,
  idempotency: (digest: string) => `idempotency/${digest}.json`,
  /** Partner definitions, `partners/<id>.json`, written once. */
  partners: 'partners/',
  partner: (id: string) => `partners/${id}.json`,
  /**
   * One empty object per active partner key, named by its partner, key id and SHA-256:
   * `partner-keys/<partner>/<key id>.<hash>`. One listing is the whole key index; revoking deletes.
   */
  partnerKeys: 'partner-keys/',
  partnerKey: (partnerId: string, keyId: string, hash: string) =>
    `partner-keys/${partnerId}/${keyId}.${hash}`,
  /** Written once every stored script variant has been derived by converters of this release. */
  derivationDone: (derivation: number) => `derivations/v${derivation}.json`,
}

/** The suffix of a retraction in a story's version list; `~` sorts after every version of the same millisecond. */
export const RETRACTED_SUFFIX = '-~retracted'
