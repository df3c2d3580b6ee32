import type { Article } from './article.ts'
import type { Locale } from './locale.ts'
import { simplifiedToTraditional, simplifiedToTraditionalHtml } from './script/chinese.ts'
import { kazakhCyrillicToLatin, kazakhCyrillicToLatinHtml } from './script/kazakh.ts'
import { normalizeUzbekLatin, normalizeUzbekLatinHtml } from './script/uzbek-apostrophes.ts'
import { uzbekLatinToCyrillic, uzbekLatinToCyrillicHtml } from './script/uzbek.ts'
import { uzbekCyrillicToLatin, uzbekCyrillicToLatinHtml } from './script/uzbek-to-latin.ts'

/** How one locale's text becomes another's: for plain text, and for HTML (markup untouched). */
interface ScriptMapping {
  text: (text: string) => string
  html: (html: string) => string
}

/**
 * The script variants Silkfeed derives at ingest (LOCALES.md §4, §5, §7): from a record an editor
 * sent, every locale listed under it that the editor did not send is derived. Derived records are
 * never derived from again.
 */
export const DERIVATIONS: Partial<Record<Locale, Partial<Record<Locale, ScriptMapping>>>> = {
  uz: { 'uz-cyrl': { text: uzbekLatinToCyrillic, html: uzbekLatinToCyrillicHtml } },
  'uz-cyrl': { uz: { text: uzbekCyrillicToLatin, html: uzbekCyrillicToLatinHtml } },
  kk: { 'kk-latn': { text: kazakhCyrillicToLatin, html: kazakhCyrillicToLatinHtml } },
  zh: { 'zh-hant': { text: simplifiedToTraditional, html: simplifiedToTraditionalHtml } },
}

/**
 * The release of the converters below. Bump it whenever a change to them changes what a derived
 * variant says: variants stored by an earlier release are then derived again (see
 * `rederiveStoredVariants`), and outrank the ones they replace. 2: attribute text (alt, title,
 * aria-label) is converted, code elements are not. 3: zh-Hant quotations in corner brackets and
 * 首个中国 as 首個中國; uz-Cyrl writes ц for ts at the start of a word and цз for sz (Циндао,
 * Цзинпин), keeps a lone foreign acronym (MBA, AFP) in Latin, and keeps a foreign quotation whole
 * when its marks are character references. 4: zh-Hant reads 并 before a verb in 发 as 並 (並發送,
 * not 併發送) and keeps an apostrophe after a Latin word that ends an element (<b>Trump</b>’s). 5:
 * kk-Latn writes the adapted ö and ü in the Russian loans of its word list (актёр aktör).
 */
export const DERIVATION_VERSION = 5

/** The locales a record in `locale` is derived into. */
export function derivedLocalesOf(locale: Locale): Locale[] {
  return Object.keys(DERIVATIONS[locale] ?? {}) as Locale[]
}

/** Every text field of a record through one mapping; ids, URLs, dates, sections and media types stay. */
function mapRecordText(record: Article, m: ScriptMapping): Omit<Article, 'locale'> {
  return {
    ...record,
    title: m.text(record.title),
    ...(record.summary !== undefined && { summary: m.text(record.summary) }),
    ...(record.contentHtml !== undefined && { contentHtml: m.html(record.contentHtml) }),
    ...(record.authors && { authors: record.authors.map((a) => ({ ...a, name: m.text(a.name) })) }),
    ...(record.source && { source: { ...record.source, name: m.text(record.source.name) } }),
    ...(record.tags && { tags: record.tags.map(m.text) }),
    ...(record.image && {
      image: {
        ...record.image,
        ...(record.image.caption !== undefined && { caption: m.text(record.image.caption) }),
        ...(record.image.credit !== undefined && { credit: m.text(record.image.credit) }),
      },
    }),
    ...(record.rights && { rights: mapRightsText(record.rights, m) }),
  }
}

function mapRightsText(
  rights: NonNullable<Article['rights']>,
  m: ScriptMapping,
): NonNullable<Article['rights']> {
  return {
    ...rights,
    ...(rights.copyrightHolder !== undefined && { copyrightHolder: m.text(rights.copyrightHolder) }),
    ...(rights.copyrightNotice !== undefined && { copyrightNotice: m.text(rights.copyrightNotice) }),
    ...(rights.usageTerms !== undefined && { usageTerms: m.text(rights.usageTerms) }),
  }
}

/** The variant of an editor's record in `target`, marked as derived from the record's locale. */
export function deriveRecord(record: Article, target: Locale): Article {
  const mapping = DERIVATIONS[record.locale]?.[target]
  if (!mapping) throw new Error(`no derivation from ${record.locale} to ${target}`)
  if (record.derivedFrom) throw new Error(`${record.id}/${record.locale} is itself derived`)
  return {
    ...mapRecordText(record, mapping),
    locale: target,
    derivedFrom: record.locale,
    derivation: DERIVATION_VERSION,
  }
}

const UZBEK_APOSTROPHES: ScriptMapping = { text: normalizeUzbekLatin, html: normalizeUzbekLatinHtml }

/**
 * What ingest does to an editor's record before storing it: Uzbek Latin apostrophes become oʻ/gʻ
 * (U+02BB) and the tutuq belgisi (U+02BC), from whichever look-alike the editor typed (LOCALES.md §4).
 */
export function normalizeRecord(record: Article): Article {
  return record.locale === 'uz' ? { ...mapRecordText(record, UZBEK_APOSTROPHES), locale: 'uz' } : record
}

/**
 * A batch of editor records as stored: each normalized, plus a derived variant for every locale the
 * batch does not already hold for that story. (Whether a stored record outranks a derived one is the
 * caller's business: see `DERIVED_PREFIX`.)
 */
export function expandRecords(records: readonly Article[]): Article[] {
  const sent = new Set(records.map((r) => `${r.id}\u0000${r.locale}`))
  const out: Article[] = []
  for (const raw of records) {
    const record = normalizeRecord(raw)
    out.push(record)
    for (const target of derivedLocalesOf(record.locale)) {
      if (!sent.has(`${record.id}\u0000${target}`)) out.push(deriveRecord(record, target))
    }
  }
  return out
}
