import type { TFunction } from 'i18next'
import { embargoOf, type Article } from '../domain/article.ts'
import { showsStory, type Audience } from '../domain/audience.ts'
import { LANGUAGE_TAG, type Locale } from '../domain/locale.ts'
import { DEFAULT_RETRACTION_REASON, type RetractionReason } from '../domain/retraction.ts'

/**
 * Every story of a feed by id: where it can be read in each locale that carries it, and until when
 * that version is under embargo (its title and address are news until then, too).
 */
export type TranslationIndex = ReadonlyMap<string, readonly Translated[]>

/** A story in one locale, as the items of its other locales link it. */
export type Translated = Pick<Article, 'locale' | 'url' | 'title' | 'embargoUntil'>

/** The script each locale is written in (ISO 15924), for "converted from" notes. */
export const SCRIPT: Record<Locale, string> = {
  zh: 'Hans',
  'zh-hant': 'Hant',
  ru: 'Cyrl',
  kk: 'Cyrl',
  'kk-latn': 'Latn',
  uz: 'Latn',
  'uz-cyrl': 'Cyrl',
}

/** A story's rights as the formats show them: the record's fields and one line of text for readers. */
export interface RightsModel {
  copyrightHolder?: string
  copyrightNotice?: string
  usageTerms?: string
  licenseUrl?: string
  /** Notice (or holder), usage terms and licence in one line, for RSS `dc:rights` and Atom `rights`. */
  text: string
}

/** The rights of a story, with its one-line text worded from the feed locale's resources. */
export function rightsModel(rights: Article['rights'], t: TFunction<'feeds'>): RightsModel | undefined {
  if (!rights) return undefined
  const { claim, terms, license } = rightsWords(rights, t)
  const text = [claim, terms, license].filter((part) => part !== undefined).join(' ')
  return { ...rights, text }
}

/**
 * The words of a story's rights in a locale, as feeds and pages show them: the notice (or "© holder"),
 * the usage terms, and "Licence: URL".
 */
export function rightsWords(
  { copyrightHolder, copyrightNotice, usageTerms, licenseUrl }: NonNullable<Article['rights']>,
  t: TFunction<'feeds'>,
): { claim?: string; terms?: string; license?: string } {
  const claim =
    copyrightNotice ??
    (copyrightHolder !== undefined ? t('rights.holder', { holder: copyrightHolder }) : undefined)
  return {
    ...(claim !== undefined && { claim }),
    ...(usageTerms !== undefined && { terms: usageTerms }),
    ...(licenseUrl !== undefined && { license: t('rights.license', { url: licenseUrl }) }),
  }
}

/** Tombstones as the formats show them, each reason worded in the feed's language (Atom `at:comment`). */
export function deletedEntries(
  tombstones: readonly { id: string; at: string; reason?: RetractionReason; embargoed?: boolean }[],
  t: TFunction<'feeds'>,
  idOf: (id: string) => string,
): { id: string; when: number; reason: RetractionReason; comment: string }[] {
  return tombstones.map((d) => {
    const reason = d.reason ?? DEFAULT_RETRACTION_REASON
    return { id: idOf(d.id), when: Date.parse(d.at), reason, comment: t(`retraction.${reason}`) }
  })
}

/**
 * The same story in the feed's other locales that the audience may read at `now`: a translation
 * under embargo is linked only for readers of embargoed stories, never named to the others.
 */
export function visibleTranslations(
  index: TranslationIndex | undefined,
  id: string,
  locale: Locale,
  audience: Audience,
  now: number,
): readonly Translated[] {
  return (index?.get(id) ?? []).filter(
    (other) => other.locale !== locale && showsStory(audience, embargoOf(other), now),
  )
}

/** The translations an item links, as the formats show them. */
export function translationLinks(
  visible: readonly Translated[],
): { hreflang: string; url: string; title: string }[] {
  return visible.map((other) => ({
    hreflang: LANGUAGE_TAG[other.locale],
    url: other.url,
    title: other.title,
  }))
}
