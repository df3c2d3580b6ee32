import { DEFAULT_RETRACTION_REASON, type RetractionReason } from '../domain/retraction.ts'
import { StoredArticleSchema, type Article } from '../domain/article.ts'
import type { Locale } from '../domain/locale.ts'
import { DERIVED_PREFIX, isDerivedVersion, recordJson, sortableTime, versionOf } from '../domain/version.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import { mapWithLimit } from './single-flight.ts'
import { KEYS, RETRACTED_SUFFIX } from './storage-keys.ts'
import { StoryIndex } from './story-index.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * How many storage requests one call of the repository has in flight at most: a batch of a
 * thousand records must queue here, not behind the HTTP agent's sockets, where waiting counts
 * against the connection timeout.
 */
export const REPOSITORY_CONCURRENCY = 16

/** The current state of one story in one locale. */
export type StoryState =
  | {
      kind: 'live'
      record: Article
      version: string
      derived: boolean
      /** Under embargo, after a version the public saw (told at webhook time: see earlier-releases.ts). */
      releasedBefore?: boolean
    }
  | {
      kind: 'retracted'
      at: string
      derived: boolean
      reason?: RetractionReason
      /** Pulled before the public saw any version (the one pulled was under embargo): it never learns of it. */
      embargoed?: boolean
      /** The version it pulled (from `currents` only): whose sections a retraction is logged with. */
      pulled?: { record: Article; version: string }
    }
  | null

/** The newest version (or retraction) of a story as its key tells it, without reading the object. */
export type StoryHead =
  | { kind: 'live'; key: string; version: string; derived: boolean }
  | { kind: 'retracted'; key: string; at: string; derived: boolean }
  | null

/** A story in one locale, as `heads` and `currents` are asked for it. */
export interface StoryRef {
  locale: Locale
  id: string
}

/** The key `heads` and `currents` answer a story under. */
export const storyKey = ({ locale, id }: StoryRef): string => `${locale}\u0000${id}`

/**
 * Articles in domain words. Versions are written under keys of their own and never overwritten, so
 * concurrent writers cannot lose each other's updates even on a store without conditional writes:
 * the newest version is simply the last key.
 */
export class ArticleRepository {
  readonly #index: StoryIndex

  constructor(
    private readonly store: ObjectStore,
    index?: StoryIndex,
  ) {
    this.#index = index ?? new StoryIndex(store, REPOSITORY_CONCURRENCY)
  }

  /** The same articles reached through another view of the store (say, one request's share of it). */
  within(store: ObjectStore): ArticleRepository {
    return new ArticleRepository(store, this.#index.within(store))
  }

  /** The newest version (or retraction) of a story. */
  async current(locale: Locale, id: string): Promise<StoryState> {
    const head = await this.head(locale, id)
    return head ? this.#read(head.key) : null
  }

  /** The newest version (or retraction) of a story from one listing of its versions. */
  async head(locale: Locale, id: string): Promise<StoryHead> {
    return headOf(await this.store.list(KEYS.versionsOf(locale, id)))
  }

  /**
   * The heads of many stories, keyed by `locale\0id`: none for a story the index says is new; for
   * the others, one listing per shard that holds two or more of them (its keys tell every head in
   * it), one per story otherwise, a bounded number at once.
   */
  async heads(refs: readonly StoryRef[]): Promise<Map<string, StoryHead>> {
    const heads = new Map<string, StoryHead>()
    const unmarked = await this.#index.unmarked(refs.map((ref) => ref.id))
    const byShard = new Map<string, StoryRef[]>()
    for (const ref of refs) {
      if (unmarked.has(ref.id)) {
        heads.set(storyKey(ref), null)
        continue
      }
      const shard = KEYS.shardOf(ref.locale, ref.id)
      const group = byShard.get(shard)
      if (group) group.push(ref)
      else byShard.set(shard, [ref])
    }
    await mapWithLimit([...byShard], REPOSITORY_CONCURRENCY, async ([shard, group]) => {
      const single = group.length === 1 ? group[0]! : undefined
      const keys = await this.store.list(single ? KEYS.versionsOf(single.locale, single.id) : shard)
      const versions = new Map<string, string[]>()
      for (const key of keys) {
        const folder = key.slice(0, key.lastIndexOf('/') + 1)
        const list = versions.get(folder)
        if (list) list.push(key)
        else versions.set(folder, [key])
      }
      for (const ref of group)
        heads.set(storyKey(ref), headOf(versions.get(KEYS.versionsOf(ref.locale, ref.id)) ?? []))
    })
    return heads
  }

  /**
   * The states of many stories, keyed by `locale\0id` (from `heads`, then a bounded number of reads).
   * A retracted story comes with the version it pulled (one more listing and read, only for a story
   * already pulled): a retraction sent again is logged with that version's sections.
   */
  async currents(refs: readonly StoryRef[]): Promise<Map<string, StoryState>> {
    const heads = await this.heads(refs)
    const states = new Map<string, StoryState>()
    await mapWithLimit([...heads], REPOSITORY_CONCURRENCY, async ([key, head]) => {
      states.set(key, head ? await this.stateWithPulled(head.key) : null)
    })
    return states
  }

  /** What is stored under a version key, as `currents` tells it: a retraction with what it pulled. */
  async stateWithPulled(key: string): Promise<StoryState> {
    const state = await this.#read(key)
    return state?.kind === 'retracted' ? this.#withPulled(key, state) : state
  }

  /** A retraction stored under `key`, with the newest version before it that is not a retraction. */
  async #withPulled(key: string, state: Extract<StoryState, { kind: 'retracted' }>): Promise<StoryState> {
    const keys = await this.store.list(key.slice(0, key.lastIndexOf('/') + 1))
    const pulledKey = keys.findLast((k) => k < key && !k.endsWith(`${RETRACTED_SUFFIX}.json`))
    const pulled = pulledKey ? await this.#read(pulledKey) : null
    if (pulled?.kind !== 'live') return state
    return { ...state, pulled: { record: pulled.record, version: pulled.version } }
  }

  /** What is stored under a version key (from `head`): a version or a retraction; null when gone. */
  async stateAt(key: string): Promise<StoryState> {
    return this.#read(key)
  }

  /** The record stored under a version key (from `head`), or null when it is gone or a retraction. */
  async record(key: string): Promise<Article | null> {
    const state = await this.#read(key)
    return state?.kind === 'live' ? state.record : null
  }

  /** Every version key of every story of a locale, or of one story, sorted (one listing). */
  versionKeys(locale: Locale, id?: string): Promise<string[]> {
    return this.store.list(id === undefined ? KEYS.articlesOf(locale) : KEYS.versionsOf(locale, id))
  }

  /** What is stored under a version key (from a listing): a record, a retraction, or null when gone. */
  state(key: string): Promise<StoryState> {
    return this.#read(key)
  }

  /** Stores one version of a story (after its marker); writing the same version twice is harmless. */
  async putVersion(record: Article): Promise<string> {
    const version = versionOf(record)
    await this.#index.mark(record.id)
    await this.#putText(KEYS.articleVersion(record.locale, record.id, version), recordJson(record))
    return version
  }

  /**
   * Records that a story was pulled at `at`. A derived variant's retraction ranks among derived
   * versions, so the variant returns when its source story does, and an editor's own record still wins.
   */
  async putRetraction(
    locale: Locale,
    id: string,
    at: string,
    derived = false,
    reason: RetractionReason = DEFAULT_RETRACTION_REASON,
    embargoed = false,
  ): Promise<void> {
    const version = retractionVersion(at, derived)
    await this.#index.mark(id)
    const json = JSON.stringify({ retracted: true, at, reason, ...(embargoed && { embargoed }) })
    await this.#putText(KEYS.articleVersion(locale, id, version), json)
  }

  /** Every live story of a locale (a full scan: only for a first build or a rebuild from scratch). */
  async loadAll(locale: Locale): Promise<Article[]> {
    const keys = await this.store.list(KEYS.articlesOf(locale))
    const newest = new Map<string, string>()
    for (const key of keys) newest.set(key.slice(0, key.lastIndexOf('/')), key)
    const states = await mapWithLimit([...newest.values()], 32, (key) => this.#read(key))
    return states.flatMap((s) => (s?.kind === 'live' ? [s.record] : []))
  }

  async #read(key: string): Promise<StoryState> {
    const object = await this.store.get(key)
    if (!object) return null
    const value = JSON.parse(decoder.decode(object.body)) as unknown
    const version = key.slice(key.lastIndexOf('/') + 1, -'.json'.length)
    const derived = isDerivedVersion(version)
    if (version.endsWith(RETRACTED_SUFFIX)) {
      const { at, reason, embargoed } = value as {
        at: string
        reason?: RetractionReason
        embargoed?: boolean
      }
      return { kind: 'retracted', at, derived, ...(reason && { reason }), ...(embargoed && { embargoed }) }
    }
    const parsed = StoredArticleSchema.safeParse(value)
    if (!parsed.success) throw new Error(`stored article ${key} no longer validates`)
    return { kind: 'live', record: parsed.data, version, derived }
  }

  async #putText(key: string, json: string): Promise<void> {
    await this.store.put(key, encoder.encode(json), { contentType: JSON_TYPE })
  }
}

/** The version key part of a retraction at `at`: it sorts after every version of the same moment. */
export function retractionVersion(at: string, derived: boolean): string {
  return `${derived ? DERIVED_PREFIX : ''}${sortableTime(Date.parse(at))}${RETRACTED_SUFFIX}`
}

/** The head of a story from the keys of its versions (sorted: the newest is the last). */
function headOf(keys: readonly string[]): StoryHead {
  const key = keys.at(-1)
  if (!key) return null
  const version = key.slice(key.lastIndexOf('/') + 1, -'.json'.length)
  const derived = isDerivedVersion(version)
  if (!version.endsWith(RETRACTED_SUFFIX)) return { kind: 'live', key, version, derived }
  const ms = Number(version.slice(derived ? DERIVED_PREFIX.length : 0, -RETRACTED_SUFFIX.length))
  return { kind: 'retracted', key, at: new Date(ms).toISOString(), derived }
}
