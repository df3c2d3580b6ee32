import { fingerprint, versionOf } from '../domain/version.ts'
import type { TranslationIndex } from '../render/feed-model.ts'
import type { Translated } from '../render/item-parts.ts'
import type { BundleSource } from './feed-bundle.ts'
import type { LocaleState } from './materializer.ts'
import { KEYS } from './storage-keys.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import { RESOURCES } from '../i18n/translator.ts'
import type { PublicationSettings } from '../render/feed-model.ts'
import { RENDERER_VERSION, strongEtag } from './render-feed.ts'

const encoder = new TextEncoder()

/** What, besides the articles, a feed's bytes depend on (renderer, settings, definition, texts). */
export function renderKeyOf(settings: PublicationSettings, definition: FeedDefinition): Promise<string> {
  const texts = definition.locales.map((locale) => RESOURCES[locale].feeds)
  const inputs = JSON.stringify({ RENDERER_VERSION, settings, definition, texts })
  return strongEtag(encoder.encode(inputs)).then((tag) => `${RENDERER_VERSION}-${tag.slice(1, -1)}`)
}

/**
 * What a locale's renderings were made from (every version and tombstone in its snapshot): a
 * rendering for another audience made from something else is out of date, whoever stored it.
 */
export function sourceOf(state: LocaleState, overlapMs: number): BundleSource {
  const { items, tombstones, applied, listedAt } = state.snapshot
  return {
    source: fingerprint(`${items.map(versionOf).join(' ')}\u0000${JSON.stringify(tombstones)}`),
    applied,
    appliedSince: listedAt - overlapMs,
  }
}

/** The feed of a rendered bundle's key (`rendered/<feed>/…`). */
export function feedOfKey(key: string): string {
  return key.slice(KEYS.renderedAll.length, key.indexOf('/', KEYS.renderedAll.length))
}

/** Every story of a feed by id: where it can be read in each locale that carries it. */
export function translationIndex(states: readonly LocaleState[]): TranslationIndex {
  const index = new Map<string, Translated[]>()
  for (const { locale, snapshot } of states) {
    for (const item of snapshot.items) {
      let versions = index.get(item.id)
      if (!versions) index.set(item.id, (versions = []))
      versions.push({ locale, url: item.url, title: item.title, embargoUntil: item.embargoUntil })
    }
  }
  return index
}
