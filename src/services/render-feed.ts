import { CONTENT_TYPE, FORMATS, type FeedDefinition, type FeedFormat } from '../domain/feed-definition.ts'
import type { Article } from '../domain/article.ts'
import type { Locale } from '../domain/locale.ts'
import { selectItems } from '../domain/select-items.ts'
import { translatorFor } from '../i18n/translator.ts'
import { renderAtom } from '../render/atom.ts'
import {
  buildFeedModel,
  type FeedModel,
  type PublicationSettings,
  type TranslationIndex,
} from '../render/feed-model.ts'
import { renderJsonFeed } from '../render/json-feed.ts'
import { renderRss } from '../render/rss.ts'
import type { Bytes } from '../storage/object-store.ts'

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
}

/**
 * Bump when the renderers' output changes for the same content and settings: feeds stored by an
 * older release are then rendered again on first read instead of being served as they are.
 */
export const RENDERER_VERSION = 1

const RENDERERS: Record<FeedFormat, (model: FeedModel) => string> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
}

const encoder = new TextEncoder()

/** Renders one feed in one locale in every format, with ETags computed once from the bytes. */
export async function renderFeedFormats(input: {
  definition: FeedDefinition
  locale: Locale
  articles: readonly Article[]
  settings: PublicationSettings
  tombstones?: readonly { id: string; at: string }[]
  /** The feed's stories in every locale, for per-item translation links. */
  translations?: TranslationIndex
}): Promise<RenderedFeed[]> {
  const items = selectItems(input.definition, input.articles)
  const model = buildFeedModel({ ...input, items, t: translatorFor(input.locale) })
  return Promise.all(
    FORMATS.map(async (format) => {
      const body = encoder.encode(RENDERERS[format](model))
      return {
        feedId: input.definition.id,
        locale: input.locale,
        format,
        body,
        contentType: CONTENT_TYPE[format],
        etag: await strongEtag(body),
        lastModified: model.updated,
        itemCount: items.length,
      }
    }),
  )
}

/** `"<base64url of the first 16 bytes of SHA-256>"`: changes exactly when the bytes change. */
export async function strongEtag(body: Bytes): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body))
  let binary = ''
  for (const byte of digest.subarray(0, 16)) binary += String.fromCharCode(byte)
  return `"${btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}"`
}
