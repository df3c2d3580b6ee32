import type { Article } from './article.ts'
import type { Audience } from './audience.ts'
import { feedSelects } from './select-items.ts'

export type { Audience } from './audience.ts'
import { z } from 'zod'
import type { FeedCatalog, FeedDefinition } from './feed-definition.ts'
import { LOCALES, type Locale } from './locale.ts'
import { says } from './problem.ts'

/**
 * Partner outlets: who they are, what their agreement lets them read, and the shape of their keys.
 * Pure: keys are made from random bytes the caller draws, and hashed by the caller.
 */

/** What a partner's agreement entitles it to. `all` follows the catalogue as it grows. */
export interface Entitlements {
  feeds: readonly string[] | 'all'
  locales: readonly Locale[] | 'all'
  /** Full text; otherwise the excerpt (title, summary, image, link). */
  fullText: boolean
  /** Sees embargoed stories before their release, marked as such. */
  embargoed: boolean
  /** Requests per minute per key, 304s included. */
  quotaPerMinute: number
}

/** One active key of a partner: its public id and the SHA-256 of the key (hex). */
export interface PartnerKey {
  keyId: string
  hash: string
  createdAt: string
}

/** A partner as the service knows it: never a key, only their hashes. */
export interface Partner {
  id: string
  name: string
  entitlements: Entitlements
  keys: readonly PartnerKey[]
  createdAt: string
}

/** The quota of a partner created without one. */
const DEFAULT_QUOTA_PER_MINUTE = 600

/** At most two keys are active at once: the current one and, during a rotation, the one before. */
export const MAX_ACTIVE_KEYS = 2

/** The admin's definition of a new partner, checked against the catalogue (unknown feeds, locales). */
export function partnerInputSchemaFor(catalog: FeedCatalog) {
  const known = new Set(catalog.ids)
  return z.strictObject({
    name: z.string().trim().min(1).max(200),
    feeds: z
      .array(
        z.string().refine((id) => known.has(id), says('unknownFeed', { allowed: catalog.ids.join(', ') })),
      )
      .min(1)
      .optional(),
    locales: z.array(z.enum(LOCALES)).min(1).optional(),
    fullText: z.boolean().default(false),
    embargoed: z.boolean().default(false),
    quota: z.number().int().min(1).max(1_000_000).default(DEFAULT_QUOTA_PER_MINUTE),
  })
}

export type PartnerInput = z.output<ReturnType<typeof partnerInputSchemaFor>>

/** The entitlements a validated definition grants. */
export function entitlementsOf(input: PartnerInput): Entitlements {
  return {
    feeds: input.feeds ? [...new Set(input.feeds)] : 'all',
    locales: input.locales ? [...new Set(input.locales)] : 'all',
    fullText: input.fullText,
    embargoed: input.embargoed,
    quotaPerMinute: input.quota,
  }
}

/**
 * Which rendering of a feed a partner gets: the one seam between identity and content. The body is
 * the agreement's (full text or excerpt) whatever the feed's public level, since the agreement is
 * what licenses the text; embargoed stories only with that entitlement.
 */
export function audienceFor(
  partner: Pick<Partner, 'entitlements'>,
  // Every feed is read under the same agreement today; per-feed terms would read it.
  _feed: Pick<FeedDefinition, 'id'>,
): Audience {
  return {
    body: partner.entitlements.fullText ? 'full' : 'excerpt',
    embargoed: partner.entitlements.embargoed,
  }
}

/**
 * What a partner may read of a story in its locale outside any one feed (its ninjs item): its
 * audience for the best of the feeds it may read there that select the story; undefined when none does.
 */
export function partnerStoryAudience(
  partner: Pick<Partner, 'entitlements'>,
  catalog: FeedCatalog,
  story: Pick<Article, 'locale' | 'sections'>,
): Audience | undefined {
  let best: Audience | undefined
  for (const definition of catalog.forLocale(story.locale)) {
    if (!mayRead(partner, definition.id, story.locale) || !feedSelects(definition, story)) continue
    const audience = audienceFor(partner, definition)
    if (audience.body === 'full') return audience
    best ??= audience
  }
  return best
}

/** Whether a partner may read a feed in a locale. */
export function mayRead(partner: Pick<Partner, 'entitlements'>, feedId: string, locale: Locale): boolean {
  const { feeds, locales } = partner.entitlements
  return (feeds === 'all' || feeds.includes(feedId)) && (locales === 'all' || locales.includes(locale))
}

/** Every (feed, locale) of the catalogue a partner may read, in catalogue order. */
export function readableFeeds(
  partner: Pick<Partner, 'entitlements'>,
  catalog: FeedCatalog,
): { definition: FeedDefinition; locale: Locale }[] {
  return catalog.all.flatMap((definition) =>
    definition.locales
      .filter((locale) => mayRead(partner, definition.id, locale))
      .map((locale) => ({ definition, locale })),
  )
}

/** The prefix that tells a Silkfeed key from other secrets (secret scanners can match on it). */
const KEY_PREFIX = 'sf_'
/** Bytes of randomness in a key. */
export const KEY_BYTES = 32

/** A key as shown once to the partner: `sf_` and 256 random bits in base64url. */
export function formatKey(random: Uint8Array): string {
  if (random.byteLength !== KEY_BYTES) throw new Error(`a key needs ${KEY_BYTES} random bytes`)
  let binary = ''
  for (const byte of random) binary += String.fromCharCode(byte)
  return KEY_PREFIX + btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Whether a string has the shape of a key (it may still be unknown). */
export function looksLikeKey(value: string): boolean {
  return /^sf_[A-Za-z0-9_-]{43}$/.test(value)
}

// A key longer than any real key is cut before hashing: the work per request stays bounded, and the
// cut key is as unknown as the whole one.
const KEY_MAX_CHARS = 256

/**
 * SHA-256 of a key, hex: what is stored of it. A fast hash is enough: a key is 256 random bits, so
 * there is no dictionary to try and a stored hash cannot be reversed by guessing; slow hashes exist
 * for low-entropy passwords.
 */
export async function keyDigest(key: string): Promise<string> {
  const bytes = new TextEncoder().encode(key.slice(0, KEY_MAX_CHARS))
  return hexOf(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)))
}

/** Bytes as lower-case hex. */
export function hexOf(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
}
