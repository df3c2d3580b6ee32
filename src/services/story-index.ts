import type { ObjectStore } from '../ports/object-store.ts'
import { mapWithLimit } from './single-flight.ts'
import { KEYS } from './storage-keys.ts'

const encoder = new TextEncoder()
const JSON_TYPE = 'application/json; charset=utf-8'

/** How many marked ids a process remembers: enough for a long backfill; forgotten ones are asked again. */
const REMEMBERED_IDS = 200_000

/** What a process has learnt about the index, shared by every view of it (each request's store). */
interface IndexState {
  /** Ids whose marker is known to be stored. */
  marked: Set<string>
  marking: Map<string, Promise<void>>
  complete: boolean
  checking?: Promise<boolean>
  indexing?: Promise<void>
}

/**
 * Which stories exist at all, in any locale: a marker per story id (`stories/<shard>/<id>.json`),
 * stored before the first version of the story, and never removed. One read of a marker answers
 * for all seven locales of a story, where its versions would take a listing per locale; a missing
 * marker says the story is new, so a backfill of new stories needs no listing at all.
 *
 * That answer holds only once every story stored before markers existed has one: until the
 * `stories/indexed.json` flag says so, `unmarked` answers nothing and the first process to ask
 * marks the stored stories in the background (one listing of `articles/` and one of `stories/`,
 * once per store).
 */
export class StoryIndex {
  constructor(
    private readonly store: ObjectStore,
    private readonly concurrency: number,
    private readonly state: IndexState = { marked: new Set(), marking: new Map(), complete: false },
  ) {}

  /** The same index reached through another view of the store (say, one request's share of it). */
  within(store: ObjectStore): StoryIndex {
    return new StoryIndex(store, this.concurrency, this.state)
  }

  /**
   * The ids among `ids` that have no marker, so no version in any locale. Empty while the index is
   * not complete (every story must then be looked up by its versions).
   */
  async unmarked(ids: Iterable<string>): Promise<Set<string>> {
    const missing = new Set<string>()
    if (!(await this.#complete())) return missing
    const unknown = [...new Set(ids)].filter((id) => !this.state.marked.has(id))
    await mapWithLimit(unknown, this.concurrency, async (id) => {
      if (await this.store.get(KEYS.storyMarker(id))) this.#remember(id)
      else missing.add(id)
    })
    return missing
  }

  /** Stores the marker of a story (once per process); resolves when it is durable. */
  mark(id: string): Promise<void> {
    const { marked, marking } = this.state
    if (marked.has(id)) return Promise.resolve()
    let pending = marking.get(id)
    if (!pending) {
      pending = this.store
        .put(KEYS.storyMarker(id), encoder.encode('{}'), { contentType: JSON_TYPE })
        .then(() => this.#remember(id))
        .finally(() => marking.delete(id))
      marking.set(id, pending)
    }
    return pending
  }

  async #complete(): Promise<boolean> {
    const state = this.state
    if (state.complete || state.indexing) return state.complete
    state.checking ??= this.store
      .get(KEYS.storiesIndexed)
      .then((flag) => flag !== null)
      .finally(() => (state.checking = undefined))
    if (await state.checking) state.complete = true
    // Stories stored meanwhile are marked by whoever stores them; the listing finds the others.
    else
      state.indexing ??= this.#markStoredStories().then(
        () => {
          state.complete = true
        },
        () => {
          state.indexing = undefined
        },
      )
    return state.complete
  }

  async #markStoredStories(): Promise<void> {
    const [versions, markers] = await Promise.all([
      this.store.list(KEYS.articlesAll),
      this.store.list(KEYS.storyMarkers),
    ])
    const marked = new Set(markers.map((key) => key.slice(key.lastIndexOf('/') + 1, -'.json'.length)))
    const ids = new Set(versions.map((key) => key.split('/')[3]!).filter((id) => !marked.has(id)))
    await mapWithLimit([...ids], this.concurrency, (id) => this.mark(id))
    await this.store.put(KEYS.storiesIndexed, encoder.encode('{}'), { contentType: JSON_TYPE })
  }

  #remember(id: string): void {
    const { marked } = this.state
    marked.add(id)
    if (marked.size > REMEMBERED_IDS) marked.delete(marked.values().next().value!)
  }
}
