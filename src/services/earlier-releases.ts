import { lastChangeOf, type Article } from '../domain/article.ts'
import { isEmbargoed } from '../domain/embargo.ts'
import { REPOSITORY_CONCURRENCY, type ArticleRepository, type StoryState } from './article-repository.ts'
import { mapWithLimit } from './single-flight.ts'
import { KEYS } from './storage-keys.ts'

/**
 * How many versions before the one under embargo are read at most. A story with more, none of them
 * found public, is taken as seen: a kill must reach every reader who may hold a copy.
 */
const VERSIONS_READ = 8

/**
 * `states` (of a webhook's retractions, keyed by `storyKey`) with each live story under embargo at
 * `at` (ms) marked `releasedBefore` when the public saw an earlier version of it: a retraction of it
 * is then no `embargoed` one, since public readers hold a copy. Asked at webhook time and only for
 * those stories (one listing each, then their versions newest first until one tells), so that
 * nothing more is read on the way to a reader.
 */
export async function withEarlierReleases(
  articles: Pick<ArticleRepository, 'versionKeys' | 'state'>,
  states: ReadonlyMap<string, StoryState>,
  at: number,
): Promise<Map<string, StoryState>> {
  const marked = new Map(states)
  await mapWithLimit([...states], REPOSITORY_CONCURRENCY, async ([key, state]) => {
    if (state?.kind !== 'live' || !isEmbargoed(state.record, at)) return
    const { record, version } = state
    const stored = KEYS.articleVersion(record.locale, record.id, version)
    if (await releasedBefore(articles, record, stored)) marked.set(key, { ...state, releasedBefore: true })
  })
  return marked
}

/**
 * Did the public see a version of `record`'s story stored before it (under `key`)? A version was
 * public when its embargo, if any, had ended by the time the next one replaced it (that one's last
 * change). A retraction before them says so itself: `embargoed` when the public had seen nothing.
 */
async function releasedBefore(
  articles: Pick<ArticleRepository, 'versionKeys' | 'state'>,
  record: Article,
  key: string,
): Promise<boolean> {
  const earlier = (await articles.versionKeys(record.locale, record.id)).filter((k) => k < key).reverse()
  let replacedAt = lastChangeOf(record)
  for (const version of earlier.slice(0, VERSIONS_READ)) {
    const state = await articles.state(version)
    if (state?.kind === 'retracted') return state.embargoed !== true
    if (state?.kind !== 'live') continue
    if (!isEmbargoed(state.record, replacedAt)) return true
    replacedAt = lastChangeOf(state.record)
  }
  return earlier.length > VERSIONS_READ
}
