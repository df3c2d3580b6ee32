import { StoredArticleSchema, type Article } from '../domain/article.ts'
import type { Change, FeedSnapshot } from '../domain/feed-snapshot.ts'
import type { Locale } from '../domain/locale.ts'
import { DERIVED_PREFIX, isDerivedVersion, recordJson, sortableTime, versionOf } from '../domain/version.ts'
import type { ObjectStore } from '../storage/object-store.ts'
import { mapWithLimit } from './single-flight.ts'
import { KEYS, RETRACTED_SUFFIX } from './storage-keys.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const JSON_TYPE = 'application/json; charset=utf-8'

/** The current state of one story in one locale. */
export type StoryState =
  | { kind: 'live'; record: Article; version: string; derived: boolean }
  | { kind: 'retracted'; at: string; derived: boolean }
  | null

/** The newest version (or retraction) of a story as its key tells it, without reading the object. */
export type StoryHead =
  | { kind: 'live'; key: string; version: string; derived: boolean }
  | { kind: 'retracted'; key: string; at: string; derived: boolean }
  | null

/**
 * Articles, the change log and feed snapshots, in domain words. Versions and changes are written under
 * keys of their own and never overwritten, so concurrent writers cannot lose each other's updates even
 * on a store without conditional writes: the newest version is simply the last key.
 */
export class ArticleRepository {
  /** Change-log entries this instance wrote or read: entries are never rewritten, so none is read twice. */
  readonly #entries = new Map<string, readonly Change[]>()
  #appends = 0

  constructor(
    private readonly store: ObjectStore,
    private readonly newId: () => string,
  ) {}

  /** The newest version (or retraction) of a story. */
  async current(locale: Locale, id: string): Promise<StoryState> {
    const head = await this.head(locale, id)
    return head ? this.#read(head.key) : null
  }

  /**
   * The newest version (or retraction) of a story from one listing: enough to decide whether a new
   * version wins, since the key carries the version (and a retraction's time).
   */
  async head(locale: Locale, id: string): Promise<StoryHead> {
    const keys = await this.store.list(KEYS.versionsOf(locale, id))
    const key = keys.at(-1)
    if (!key) return null
    const version = key.slice(key.lastIndexOf('/') + 1, -'.json'.length)
    const derived = isDerivedVersion(version)
    if (!version.endsWith(RETRACTED_SUFFIX)) return { kind: 'live', key, version, derived }
    const ms = Number(version.slice(derived ? DERIVED_PREFIX.length : 0, -RETRACTED_SUFFIX.length))
    return { kind: 'retracted', key, at: new Date(ms).toISOString(), derived }
  }

  /** The record stored under a version key (from `head`), or null when it is gone or a retraction. */
  async record(key: string): Promise<Article | null> {
    const state = await this.#read(key)
    return state?.kind === 'live' ? state.record : null
  }

  /** Stores one version of a story; writing the same version twice is harmless. */
  async putVersion(record: Article): Promise<string> {
    const version = versionOf(record)
    await this.#putText(KEYS.articleVersion(record.locale, record.id, version), recordJson(record))
    return version
  }

  /**
   * Records that a story was pulled at `at`. A derived variant's retraction ranks among derived
   * versions, so the variant returns when its source story does, and an editor's own record still wins.
   */
  async putRetraction(locale: Locale, id: string, at: string, derived = false): Promise<void> {
    const version = `${derived ? DERIVED_PREFIX : ''}${sortableTime(Date.parse(at))}${RETRACTED_SUFFIX}`
    const key = KEYS.articleVersion(locale, id, version)
    await this.#putJson(key, { retracted: true, at })
  }

  /** How many change-log entries this instance has appended (each counted once durable). */
  get appends(): number {
    return this.#appends
  }

  /** Appends one entry to the change log with every change of a republish; returns its key. */
  async appendChanges(changes: readonly Change[], now: number): Promise<string> {
    const key = `${KEYS.log}${sortableTime(now)}-${this.newId()}.json`
    await this.#putJson(key, { changes })
    this.#appends++
    this.#remember(key, changes)
    return key
  }

  /** Change-log keys written at or after `sinceMs`. */
  listChanges(sinceMs: number): Promise<string[]> {
    return this.store.list(KEYS.log, { startAfter: `${KEYS.log}${sortableTime(sinceMs - 1)}~` })
  }

  /** The changes of one change-log entry (entries never change: each is read once per process). */
  async getChanges(key: string): Promise<readonly Change[] | null> {
    const known = this.#entries.get(key)
    if (known) return known
    const object = await this.store.get(key)
    if (!object) return null
    const { changes } = JSON.parse(decoder.decode(object.body)) as { changes: Change[] }
    this.#remember(key, changes)
    return changes
  }

  #remember(key: string, changes: readonly Change[]): void {
    this.#entries.set(key, changes)
    if (this.#entries.size > 10_000) this.#entries.delete(this.#entries.keys().next().value!)
  }

  /** Every live story of a locale (a full scan: only for a first build or a rebuild from scratch). */
  async loadAll(locale: Locale): Promise<Article[]> {
    const keys = await this.store.list(KEYS.articlesOf(locale))
    const newest = new Map<string, string>()
    for (const key of keys) newest.set(key.slice(0, key.lastIndexOf('/')), key)
    const states = await mapWithLimit([...newest.values()], 32, (key) => this.#read(key))
    return states.flatMap((s) => (s?.kind === 'live' ? [s.record] : []))
  }

  async getSnapshot(feedId: string, locale: Locale): Promise<FeedSnapshot | null> {
    const object = await this.store.get(KEYS.snapshot(feedId, locale))
    return object ? (JSON.parse(decoder.decode(object.body)) as FeedSnapshot) : null
  }

  async putSnapshot(feedId: string, locale: Locale, snapshot: FeedSnapshot): Promise<void> {
    // JSON.stringify(snapshot), with each record's JSON made once (most are the last snapshot's).
    const { items, ...rest } = snapshot
    const others = JSON.stringify(rest)
    const members = others === '{}' ? '' : `,${others.slice(1, -1)}`
    await this.#putText(
      KEYS.snapshot(feedId, locale),
      `{"items":[${items.map(recordJson).join(',')}]${members}}`,
    )
  }

  async #read(key: string): Promise<StoryState> {
    const object = await this.store.get(key)
    if (!object) return null
    const value = JSON.parse(decoder.decode(object.body)) as unknown
    const version = key.slice(key.lastIndexOf('/') + 1, -'.json'.length)
    const derived = isDerivedVersion(version)
    if (version.endsWith(RETRACTED_SUFFIX))
      return { kind: 'retracted', at: (value as { at: string }).at, derived }
    const parsed = StoredArticleSchema.safeParse(value)
    if (!parsed.success) throw new Error(`stored article ${key} no longer validates`)
    return { kind: 'live', record: parsed.data, version, derived }
  }

  async #putJson(key: string, value: unknown): Promise<void> {
    await this.#putText(key, JSON.stringify(value))
  }

  async #putText(key: string, json: string): Promise<void> {
    await this.store.put(key, encoder.encode(json), { contentType: JSON_TYPE })
  }
}
