import type { TFunction } from 'i18next'
import type { Article } from '../domain/article.ts'
import type { Audience } from '../domain/audience.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import { LANGUAGE_TAG, type Locale } from '../domain/locale.ts'
import { ninjsFeedPath, ninjsItemPath } from '../domain/url-scheme.ts'
import { itemId, type PublicationSettings } from './feed-model.ts'
import { htmlToPlainText } from './plain-text.ts'

/** The schema every item of Silkfeed's ninjs documents is valid against. */
const NINJS_SCHEMA = 'http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json'
export const NINJS_CONTENT_TYPE = 'application/json; charset=utf-8'

/** A ninjs 3.1 item (or a part of one): plain JSON. */
type Ninjs = Record<string, unknown>

/** Where a story can be read in another locale. */
export interface Translation {
  locale: Locale
  title: string
  url: string
}

/** What an item is rendered with besides its record. */
export interface NinjsContext {
  locale: Locale
  settings: PublicationSettings
  t: TFunction<'feeds'>
  /** The same story in the other locales. */
  translations: readonly Translation[]
}

/**
 * One story in one locale as an IPTC ninjs 3.1 item, for readers of the full text or of the excerpt
 * (`representationType: partial`: what an excerpt feed carries, title, summary, image and link, no
 * `bodies`). Each property group has its function.
 */
export function renderNinjsItem(
  article: Article,
  version: string,
  context: NinjsContext,
  body: Audience['body'],
  /** For a reader of stories under embargo: when this version's ends. */
  embargoedUntil?: string,
): Ninjs {
  return {
    ...identityOf(article.id, context),
    ...statusOf(article, version, body),
    ...(embargoedUntil !== undefined && { embargoedUntil }),
    ...textsOf(article, context.t, body),
    ...subjectsOf(article, context),
    ...renditionsOf(article),
    ...rightsOf(article, context.t),
    ...associationsOf(article.id, context),
  }
}

/** A pulled story: the same uri, a version of its own and `pubStatus: canceled`, no content. */
export function renderCanceledItem(id: string, at: string, version: string, context: NinjsContext): Ninjs {
  return { ...identityOf(id, context), version, versionCreated: at, pubStatus: 'canceled' }
}

/** The envelope of a feed's window: the feed's own metadata and its items, newest first. */
export function renderNinjsFeed(
  definition: FeedDefinition,
  context: Pick<NinjsContext, 'locale' | 'settings' | 't'>,
  items: readonly Ninjs[],
): Ninjs {
  const { locale, settings, t } = context
  return {
    schema: NINJS_SCHEMA,
    uri: `tag:${settings.idAuthority}:feed/${definition.id}/${locale}`,
    title: t(`feeds.${definition.id}.title`),
    description: t(`feeds.${definition.id}.description`),
    language: LANGUAGE_TAG[locale],
    self: settings.publicBaseUrl + ninjsFeedPath(locale, definition.id),
    items,
  }
}

/** uri (the feed items' id: stable across edits), the story id shared by translations, language. */
function identityOf(id: string, { locale, settings }: NinjsContext): Ninjs {
  return {
    uri: itemId(settings, id, locale),
    type: 'text',
    language: LANGUAGE_TAG[locale],
    altIds: [{ role: 'story', value: id }],
  }
}

/** Version, dates, and whether the item is the whole story or the excerpt its reader may read. */
function statusOf(article: Article, version: string, body: Audience['body']): Ninjs {
  return {
    version,
    firstCreated: article.publishedAt,
    versionCreated: article.updatedAt ?? article.publishedAt,
    pubStatus: 'usable',
    representationType: body === 'full' ? 'full' : 'partial',
  }
}

/** Headline, summary, byline, source; the story's text only for readers of the full text. */
function textsOf(article: Article, t: NinjsContext['t'], body: Audience['body']): Ninjs {
  const bodies = []
  if (body === 'full' && article.contentHtml !== undefined) {
    const text = htmlToPlainText(article.contentHtml)
    bodies.push(
      { role: 'main', contentType: 'text/html', value: article.contentHtml },
      { role: 'main', contentType: 'text/plain', value: text, charCount: countCodePoints(text) },
    )
  }
  const names = (article.authors ?? []).map((a) => a.name)
  return {
    headlines: [{ role: 'main', contentType: 'text/plain', value: article.title }],
    ...(bodies.length > 0 && { bodies }),
    ...(article.summary !== undefined && {
      descriptions: [{ role: 'summary', contentType: 'text/plain', value: article.summary }],
    }),
    ...(names.length > 0 && { by: t('byline', { names: names.join(', ') }) }),
    ...(article.source && {
      infoSources: [
        {
          name: article.source.name,
          role: 'originator',
          ...(article.source.url && { uri: article.source.url }),
        },
      ],
    }),
  }
}

/** Sections (with a URI under `/sections/`, as the feeds' categories) and free tags. */
function subjectsOf(article: Article, { settings, t }: NinjsContext): Ninjs {
  const subjects = [
    ...article.sections.map((section) => ({
      name: t(`sections.${section}`, { defaultValue: section }),
      literal: section,
      uri: `${settings.publicBaseUrl}/sections/${section}`,
    })),
    ...(article.tags ?? []).map((tag) => ({ name: tag })),
  ]
  return subjects.length > 0 ? { subjects } : {}
}

/** The story's web page and its image, with what is known of the image's type and size. */
function renditionsOf(article: Article): Ninjs {
  const renditions: Ninjs[] = [{ name: 'web', href: article.url, contentType: 'text/html' }]
  const image = article.image
  if (image) {
    renditions.push({
      name: 'image',
      href: image.url,
      ...(image.type !== undefined && { contentType: image.type }),
      ...(image.width !== undefined && { width: image.width }),
      ...(image.height !== undefined && { height: image.height }),
      ...(image.length !== undefined && { sizeInBytes: image.length }),
      ...(image.caption !== undefined && { title: image.caption }),
    })
  }
  return { renditions }
}

/**
 * Rights: the record's own (holder, notice, usage terms, licence as `rightsInfo.linkedRights`), as
 * the feeds show them; where it names none, the feeds' own line (the newsroom and its notice). A
 * holder without a notice gets the feeds' "© holder", never the newsroom's notice.
 */
function rightsOf(article: Article, t: NinjsContext['t']): Ninjs {
  const newsroom = t('newsroom')
  const { copyrightHolder, copyrightNotice, usageTerms, licenseUrl } = article.rights ?? {}
  const notice =
    copyrightNotice ??
    (copyrightHolder !== undefined
      ? t('rights.holder', { holder: copyrightHolder })
      : t('copyright', { year: article.publishedAt.slice(0, 4), newsroom }))
  return {
    copyrightHolder: copyrightHolder ?? newsroom,
    copyrightNotice: notice,
    ...(usageTerms !== undefined && { usageTerms }),
    ...(licenseUrl !== undefined && { rightsInfo: { linkedRights: licenseUrl } }),
  }
}

/** Each translation as an association (`rel: translation`) naming its ninjs item and its page. */
function associationsOf(id: string, { settings, translations }: NinjsContext): Ninjs {
  if (translations.length === 0) return {}
  return {
    associations: translations.map((other) => ({
      name: `translation-${other.locale}`,
      rel: 'translation',
      uri: itemId(settings, id, other.locale),
      type: 'text',
      language: LANGUAGE_TAG[other.locale],
      headlines: [{ role: 'main', contentType: 'text/plain', value: other.title }],
      renditions: [
        {
          name: 'ninjs',
          href: settings.publicBaseUrl + ninjsItemPath(other.locale, id),
          contentType: 'application/json',
        },
        { name: 'web', href: other.url, contentType: 'text/html' },
      ],
    })),
  }
}

/** Characters as ninjs counts them: code points, not UTF-16 units. */
function countCodePoints(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0xdc00 || unit > 0xdfff) count++
  }
  return count
}
