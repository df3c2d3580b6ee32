import type { Article } from './article.ts'
import type { FeedDefinition } from './feed-definition.ts'
import type { Locale } from './locale.ts'
import { feedSelects } from './select-items.ts'

/**
 * Who a rendering of a feed is for: full text or only the excerpt (title, summary, image, link), and
 * whether stories still under embargo are in it (marked with their release time). A feed is rendered
 * once per audience it has, never once per reader.
 */
export interface Audience {
  body: 'full' | 'excerpt'
  embargoed: boolean
}

/** Every audience by its stable key (used in storage keys and by the partner side). */
export const AUDIENCE_KEYS = ['full', 'excerpt', 'full-embargoed', 'excerpt-embargoed'] as const
export type AudienceKey = (typeof AUDIENCE_KEYS)[number]

/** The stable key of an audience. */
export function audienceKey(audience: Audience): AudienceKey {
  return audience.embargoed ? `${audience.body}-embargoed` : audience.body
}

/** The audience a key names. */
export function audienceOf(key: AudienceKey): Audience {
  return { body: key.startsWith('excerpt') ? 'excerpt' : 'full', embargoed: key.endsWith('-embargoed') }
}

/** What anyone without a key reads of a feed; undefined when the feed is for partners only. */
export function publicAudience(definition: Pick<FeedDefinition, 'public'>): Audience | undefined {
  const level = definition.public ?? 'full'
  return level === 'none' ? undefined : { body: level, embargoed: false }
}

/**
 * What anyone without a key may read of a story in a locale outside any one feed (its ninjs item):
 * the full text when a public full feed of the locale carries it, the excerpt when only excerpt
 * feeds do, nothing (undefined) when no public feed does.
 */
export function publicStoryAudience(
  feeds: readonly FeedDefinition[],
  locale: Locale,
  story: Pick<Article, 'sections'>,
): Audience | undefined {
  let best: Audience | undefined
  for (const definition of feeds) {
    if (!definition.locales.includes(locale) || !feedSelects(definition, story)) continue
    const audience = publicAudience(definition)
    if (audience?.body === 'full') return audience
    best ??= audience
  }
  return best
}

/** The audience a feed is always rendered for: its public one, or full text for a partners-only feed. */
export function primaryAudience(definition: Pick<FeedDefinition, 'public'>): AudienceKey {
  const audience = publicAudience(definition)
  return audience ? audienceKey(audience) : 'full'
}

/** Whether a story under embargo until `embargo` (ms) is shown to an audience at `now`. */
export function showsStory(audience: Audience, embargo: number | undefined, now: number): boolean {
  return embargo === undefined || embargo <= now || audience.embargoed
}
