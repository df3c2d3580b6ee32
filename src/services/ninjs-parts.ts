// The parts of ninjs documents the service keeps: who reads a story, what it holds, a bundle's entries.

import type { Article } from '../domain/article.ts'
import type { Audience } from '../domain/audience.ts'
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
