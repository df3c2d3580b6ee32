import { CONTENT_TYPE, FORMATS, type FeedDefinition, type FeedFormat } from '../domain/feed-definition.ts'
import { embargoOf, type Article } from '../domain/article.ts'
import {
  audienceKey,
  publicAudience,
  showsStory,
  type Audience,
  type AudienceKey,
} from '../domain/audience.ts'
import { monthOf } from '../domain/archive-months.ts'
import { isEmbargoed, nextRelease, releasedAt } from '../domain/embargo.ts'
import type { Locale } from '../domain/locale.ts'
import { feedSelects, selectItems } from '../domain/select-items.ts'
import { translatorFor } from '../i18n/translator.ts'
import { ATOM } from '../render/atom.ts'
import {
  buildFeedHead,
  itemModelBuilder,
  translationsReleased,
  type FeedModelInput,
  type HistoryMonths,
  type PublicationSettings,
  type TranslationIndex,
} from '../render/feed-model.ts'
import type { FeedRenderer, Frame, ItemModel } from '../render/feed-renderer.ts'
import { visibleTranslations, type Translated } from '../render/item-parts.ts'
import { JSON_FEED } from '../render/json-feed.ts'
import { RSS } from '../render/rss.ts'
import type { Bytes } from '../ports/object-store.ts'

/** One feed in one format, encoded once: what every request for it is answered with. */
export interface RenderedFeed {
  feedId: string
  locale: Locale
  format: FeedFormat
  body: Bytes
  contentType: string
  /** Strong ETag (quoted), from the bytes. */
  etag: string
  /** The content's last change, in ms since the epoch (not the render time). */
  lastModified: number
  itemCount: number
  /** Who this rendering is for. */
  audience: AudienceKey
  /** When (ms) an embargo it holds back, or marks, ends: the rendering is out of date from then on. */
  nextRelease?: number
  /** The latest release from embargo among its items, if any: WebSub hubs hear of it once it passes. */
  lastRelease?: number
}

/**
 * Bump when the renderers' output changes for the same content and settings: feeds stored by an
 * older release are then rendered again on first read instead of being served as they are.
 */
export const RENDERER_VERSION = 3

const RENDERERS: Record<FeedFormat, FeedRenderer> = { rss: RSS, atom: ATOM, json: JSON_FEED }

/**
 * Items already rendered, per story version, format and locale, for the next rendering of any feed
 * that carries them: a republish changes one story, and the other items of its feeds are then
 * copied, not rendered again. Keyed by the record object (records are never mutated; a record read
 * again from storage is a new object and is rendered again) and by what else an item shows (its
 * translations). One per settings: items show the public base URL and the id authority. Holds the
 * latest rendering per format and locale only, and nothing once the record is gone.
 */
export class RenderedItems {
  readonly #items = new WeakMap<Article, Map<string, { translations: string; bytes: Uint8Array }>>()

  /** An item's UTF-8 bytes, rendered (by `render`) and encoded only when not at hand. */
  get(article: Article, slot: string, translations: string, render: () => string): Uint8Array {
    let slots = this.#items.get(article)
    if (!slots)
      this.#items.set(article, (slots = new Map<string, { translations: string; bytes: Uint8Array }>()))
    const cached = slots.get(slot)
    if (cached && cached.translations === translations) return cached.bytes
    const bytes = encoder.encode(render())
    slots.set(slot, { translations, bytes })
    return bytes
  }
}

const encoder = new TextEncoder()
const FULL: Audience = { body: 'full', embargoed: false }

/** Renders one feed in one locale in every format, with ETags computed once from the bytes. */
export async function renderFeedFormats(input: {
  definition: FeedDefinition
  locale: Locale
  articles: readonly Article[]
  settings: PublicationSettings
  tombstones?: FeedModelInput['tombstones']
  /** The feed's stories in every locale, for per-item translation links. */
  translations?: TranslationIndex
  /** Items rendered before, made under the same settings. */
  renderedItems?: RenderedItems
  /** Who the rendering is for: full text without embargoed stories unless said otherwise. */
  audience?: Audience
  /** The render time, which decides the embargoes that have passed; without it, every one has. */
  now?: number
  /** An archive document's months (RFC 5005); without it, a current feed links its newest archive. */
  history?: HistoryMonths
}): Promise<RenderedFeed[]> {
  const { locale, renderedItems, translations } = input
  const audience = input.audience ?? FULL
  const now = input.now ?? Infinity
  const shown = input.articles.filter((a) => showsStory(audience, embargoOf(a), now))
  const { limit } = input.definition
  // One story past the window tells the newest archive month (the public reads archives).
  const ranked = selectItems({ ...input.definition, limit: limit + 1 }, shown)
  const items = ranked.slice(0, limit)
  const archived = ranked[limit]
  const isPublic = audienceKey(audience) === audienceKey(publicAudience(input.definition) ?? audience)
  const history =
    input.history ??
    (archived && isPublic && publicAudience(input.definition)
      ? { prev: monthOf(Date.parse(archived.publishedAt)) }
      : undefined)
  // A translation's release is a change of the items that link it, as the story's own is.
  const release = nextRelease(
    [
      ...input.articles.filter((a) => feedSelects(input.definition, a)),
      ...items.flatMap((a) => translations?.get(a.id) ?? []),
    ],
    now,
  )
  const lastRelease = Math.max(
    items.reduce((max, a) => Math.max(max, releasedAt(a, now)), 0),
    translationsReleased({ locale, translations, audience }, items, now),
  )
  const t = translatorFor(locale)
  const head = buildFeedHead({ ...input, items, t, audience, now, history })
  const modelOf = itemModelBuilder({ ...input, t, audience, now })
  const models = new Map<Article, ItemModel>()
  const model = (article: Article) => {
    let m = models.get(article)
    if (!m) models.set(article, (m = modelOf(article)))
    return m
  }
  // What each item links of its translations depends on the audience and the time (embargoes).
  const linked = items.map((article) =>
    renderedItems ? translationKey(visibleTranslations(translations, article.id, locale, audience, now)) : '',
  )
  return Promise.all(
    FORMATS.map(async (format) => {
      const renderer = RENDERERS[format]
      // An item differs by audience (body or not), and while under embargo (its marker).
      const slot = `${format} ${locale} ${audienceKey(audience)}`
      const render = (article: Article) => () => renderer.item(model(article), head)
      const fragments = items.map((article, i) =>
        renderedItems
          ? renderedItems.get(
              article,
              isEmbargoed(article, now) ? `${slot} e` : slot,
              linked[i]!,
              render(article),
            )
          : encoder.encode(render(article)()),
      )
      const body = framed(renderer.frame(head, items.length), fragments)
      return {
        feedId: input.definition.id,
        locale: input.locale,
        format,
        body,
        contentType: CONTENT_TYPE[format],
        etag: await strongEtag(body),
        lastModified: head.updated,
        itemCount: items.length,
        audience: audienceKey(audience),
        ...(release !== undefined && { nextRelease: release }),
        ...(lastRelease > 0 && { lastRelease }),
      }
    }),
  )
}

/** A document's bytes: its frame around items already encoded (no item is encoded again). */
function framed({ before, between, after }: Frame, items: readonly Uint8Array[]): Bytes {
  const head = encoder.encode(before)
  const gap = encoder.encode(between)
  const tail = encoder.encode(after)
  let length = head.byteLength + tail.byteLength + gap.byteLength * Math.max(0, items.length - 1)
  for (const item of items) length += item.byteLength
  const body = new Uint8Array(length)
  body.set(head, 0)
  let at = head.byteLength
  for (const [i, item] of items.entries()) {
    if (i > 0) {
      body.set(gap, at)
      at += gap.byteLength
    }
    body.set(item, at)
    at += item.byteLength
  }
  body.set(tail, at)
  return body
}

/** `"<base64url of the first 16 bytes of SHA-256>"`: changes exactly when the bytes change. */
export async function strongEtag(body: Bytes): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body))
  let binary = ''
  for (const byte of digest.subarray(0, 16)) binary += String.fromCharCode(byte)
  return `"${btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}"`
}

/** What an item shows of its story's translations, as a string to compare. */
function translationKey(visible: readonly Translated[]): string {
  let key = ''
  for (const { locale, url, title } of visible) key += `${locale}\u0000${url}\u0000${title}\u0000`
  return key
}
