import type { ArchiveStory } from '../domain/archive-layout.ts'
import { BoundedCache } from '../domain/bounded-cache.ts'
import { localeOfChange } from '../domain/feed-snapshot.ts'
import type { Locale } from '../domain/locale.ts'
import { REPOSITORY_CONCURRENCY, type StoryState } from './article-repository.ts'
import type { FeedService } from './feed-service.ts'
import { mapWithLimit } from './single-flight.ts'
import { RETRACTED_SUFFIX } from './storage-keys.ts'

/** Stored versions kept read, so a new listing reads only what changed. */
const VERSIONS_MAX = 200_000
const RETRACTED = `${RETRACTED_SUFFIX}.json`

/** A locale's stories by id, at their newest versions. */
export type StoryMap = ReadonlyMap<string, ArchiveStory>

/**
 * The stories of a locale as archives need them: each at its newest version, a retracted one with
 * the version it pulled (its month and sections). Built once from a listing of the locale's
 * versions, then kept current from the change log: only the stories a new entry names are looked
 * up again, so the cost follows the changes, not the size of the store.
 */
export class ArchiveStories {
  readonly #states = new BoundedCache<string, Promise<StoryState>>({ maxEntries: VERSIONS_MAX })

  constructor(private readonly feeds: FeedService) {}

  /** Every story of a locale: one listing of its versions, then the versions not read before. */
  async all(locale: Locale): Promise<StoryMap> {
    const keys = await this.feeds.articles.versionKeys(locale)
    const byStory = new Map<string, string[]>()
    for (const key of keys) {
      const folder = key.slice(0, key.lastIndexOf('/'))
      const versions = byStory.get(folder)
      if (versions) versions.push(key)
      else byStory.set(folder, [key])
    }
    const found = await mapWithLimit([...byStory.values()], REPOSITORY_CONCURRENCY, (v) => this.#story(v))
    return new Map(found.flatMap((story) => (story ? [[idOf(story), story] as const] : [])))
  }

  /**
   * `previous` brought up to date with the change-log entries written since `since`: the stories
   * they name in this locale are looked up again. The same map when they name none.
   */
  async since(locale: Locale, previous: StoryMap, since: number): Promise<StoryMap> {
    const { changeLog, articles } = this.feeds
    const keys = await changeLog.listAlone(since).keys
    const entries = await mapWithLimit(keys, REPOSITORY_CONCURRENCY, (key) => changeLog.read(key))
    const ids = new Set<string>()
    for (const change of entries.flatMap((changes) => changes ?? [])) {
      if (localeOfChange(change) === locale) ids.add(change.type === 'upsert' ? change.record.id : change.id)
    }
    if (ids.size === 0) return previous
    const next = new Map(previous)
    await mapWithLimit([...ids], REPOSITORY_CONCURRENCY, async (id) => {
      const story = await this.#story(await articles.versionKeys(locale, id))
      if (story) next.set(id, story)
      else next.delete(id)
    })
    return next
  }

  /** A story from its version keys (sorted): the newest, and for a retraction the version it pulled. */
  async #story(versions: readonly string[]): Promise<ArchiveStory | undefined> {
    const head = versions.at(-1)
    if (head === undefined) return undefined
    const pulled = head.endsWith(RETRACTED) ? versions.findLast((k) => !k.endsWith(RETRACTED)) : undefined
    const [state, before] = await Promise.all([this.#state(head), pulled ? this.#state(pulled) : null])
    if (state?.kind === 'live') return { kind: 'live', key: head, record: state.record }
    if (state?.kind !== 'retracted' || before?.kind !== 'live') return undefined
    const { at, reason } = state
    return { kind: 'retracted', key: head, at, pulled: before.record, ...(reason && { reason }) }
  }

  /** A stored version, read once per process (versions are never overwritten). */
  #state(key: string): Promise<StoryState> {
    let state = this.#states.get(key)
    if (!state) {
      state = this.feeds.articles.state(key)
      this.#states.set(key, state)
      state.catch(() => this.#states.delete(key))
    }
    return state
  }
}

const idOf = (story: ArchiveStory) => (story.kind === 'live' ? story.record.id : story.pulled.id)
