// The parts of ninjs documents the service keeps: who reads a story, what it holds, a bundle's entries.

import { embargoOf, type Article } from '../domain/article.ts'
import { showsStory, type Audience } from '../domain/audience.ts'
import { earliest, isEmbargoed } from '../domain/embargo.ts'
import { LANGUAGE_TAG, LOCALES } from '../domain/locale.ts'
import type { Translation } from '../render/ninjs.ts'
import type { FeedBundle } from './feed-bundle.ts'

const decoder = new TextDecoder()
const LOCALE_OF_TAG = new Map(LOCALES.map((locale) => [LANGUAGE_TAG[locale], locale]))

/**
 * Who reads an item: what it may read of a stored version in the version's locale (undefined: none).
 * The public reads what its feeds show; a partner what its agreement's feeds there show it.
 */
export type StoryReader = (story: Pick<Article, 'locale' | 'sections'>) => Audience | undefined

/** A story in a locale as stored: its current version or its retraction, and its live translations. */
export type Story = { others: Article[] } & (
  | { kind: 'live'; record: Article; version: string }
  /** `pulled` is the retraction as stored: under embargo or not, and the version it pulled. */
  | { kind: 'canceled'; at: string; version: string; pulled?: { record?: Article; embargoed: boolean } }
)

/** What a reader gets of a story: the key of its page, its text and its embargo (none when canceled). */
export interface ItemView {
  key: string
  body?: Audience['body']
  until?: string
  /** When what it shows changes by time alone (its own release, or a translation's): ms. */
  release?: number
}

/** An item of a stored JSON Feed bundle, as far as a ninjs list needs it. */
export interface FeedEntry {
  id: string
  translations: Translation[]
}

/** The stories of a JSON Feed bundle in its order, with the translations each item links. */
export function entriesOf(bundle: FeedBundle): FeedEntry[] {
  const feed = JSON.parse(decoder.decode(bundle.variants.identity.body)) as {
    items: { id: string; _silkfeed?: { translations?: { language: string; url: string; title: string }[] } }[]
  }
  return feed.items.flatMap((item) => {
    // Item ids are `tag:<authority>:article/<story id>/<locale>`; story ids hold no slash.
    const match = /:article\/([^/]+)\/[^/]+$/.exec(item.id)
    if (!match) return []
    const translations = (item._silkfeed?.translations ?? []).flatMap((tr) => {
      const other = LOCALE_OF_TAG.get(tr.language)
      return other ? [{ locale: other, title: tr.title, url: tr.url }] : []
    })
    return [{ id: match[1]!, translations }]
  })
}

/**
 * What `reader` gets of a story at `now`: the translations it links and the view of its page, or
 * null when the reader may not know the story (the 404 of an unknown id).
 */
export function itemView(
  story: Story,
  reader: StoryReader,
  now: number,
): { others: Article[]; view: ItemView } | null {
  // A translation the reader cannot read in its locale (no feed it reads there carries it, or under
  // embargo for a reader of no embargoed story) is neither linked nor named.
  const others = story.others.filter((r) => {
    const audience = reader(r)
    return audience !== undefined && showsStory(audience, embargoOf(r), now)
  })
  const linked = others.map((r) => r.locale).join(',')
  // A translation the reader will read once released is linked from then on: the page changes then.
  const pending = story.others.map((r) => (reader(r) && isEmbargoed(r, now) ? embargoOf(r) : undefined))
  if (story.kind === 'canceled') {
    // Pulled under embargo (for a reader of no embargoed story), or only ever in feeds the reader
    // does not read: it never saw the story, and never learns it existed.
    const pulled = story.pulled
    const audience = pulled?.record && reader(pulled.record)
    if (pulled && (!audience || (pulled.embargoed && !audience.embargoed))) return null
    return { others, view: { key: `canceled ${linked}`, ...releaseOf(earliest(pending)) } }
  }
  const audience = reader(story.record)
  if (!audience) return null
  // Under embargo a story is no document of a reader of no embargoed story: unknown until then.
  const until = isEmbargoed(story.record, now) ? story.record.embargoUntil : undefined
  if (until !== undefined && !audience.embargoed) return null
  const release = earliest([...pending, until === undefined ? undefined : Date.parse(until)])
  const key = `${audience.body} ${until ?? ''} ${linked}`
  return { others, view: { key, body: audience.body, until, ...releaseOf(release) } }
}

/** An item view's release, when it has one. */
function releaseOf(at: number | undefined): Pick<ItemView, 'release'> {
  return at === undefined ? {} : { release: at }
}
