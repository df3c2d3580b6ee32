/**
 * Uzbek Cyrillic → Latin (1995 orthography, LOCALES.md §4). Latin output uses U+02BB in oʻ/gʻ and
 * U+02BC for the tutuq belgisi. URLs, e-mail addresses and characters of other scripts pass through.
 */
import { mapHtmlText } from './html-text.ts'
import { matchLetterCase } from './letter-case.ts'
import { mapOutsideLinks } from './links.ts'
import { MODIFIER_APOSTROPHE, TURNED_COMMA } from './uzbek-apostrophes.ts'

const WORD = /[\p{L}\p{M}]+/gu

const CYRILLIC_VOWELS = new Set('аеёиоуўэюяы')

const CYRILLIC_TO_LATIN: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  ж: 'j',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'x',
  ҳ: 'h',
  қ: 'q',
  ғ: `g${TURNED_COMMA}`,
  ў: `o${TURNED_COMMA}`,
  ч: 'ch',
  ш: 'sh',
  щ: 'sh',
  ё: 'yo',
  ю: 'yu',
  я: 'ya',
  э: 'e',
  ы: 'i',
}

/** Prefixes after which ц is written s even between vowels (антициклон → antisiklon). */
const TSE_PREFIXES = ['анти']

/** Month stems whose я is written a (сентябр → sentabr, октябр → oktabr). */
const YA_AS_A = /^(?:сент|окт)(?=ябр)/

/** Converts Uzbek Cyrillic text to the Latin alphabet; Latin letters, digits and links pass through. */
export function uzbekCyrillicToLatin(text: string): string {
  return mapOutsideLinks(text.normalize('NFC'), (part) =>
    part.replace(WORD, (word) => cyrillicWordToLatin(word)),
  )
}

/** {@link uzbekCyrillicToLatin} over the text nodes of an HTML fragment; markup is never touched. */
export function uzbekCyrillicToLatinHtml(html: string): string {
  return mapHtmlText(html, uzbekCyrillicToLatin)
}

function cyrillicWordToLatin(word: string): string {
  const chars = Array.from(word)
  const lower = chars.map((c) => c.toLowerCase())
  const yaAsA = YA_AS_A.exec(lower.join(''))?.[0].length ?? -1
  let out = ''
  for (let i = 0; i < chars.length; i++) {
    const latin = cyrillicLetterToLatin(lower, i, yaAsA)
    out += latin === null ? chars[i]! : matchLetterCase(latin, chars, i, (s) => s.toUpperCase())
  }
  return out
}

/** The lower-case Latin for `lower[i]` in its word, or null for a character that is not Uzbek Cyrillic. */
function cyrillicLetterToLatin(lower: readonly string[], i: number, yaAsA: number): string | null {
  const c = lower[i]!
  const prev = lower[i - 1]
  const next = lower[i + 1]
  switch (c) {
    case 'е':
      return i === 0 || CYRILLIC_VOWELS.has(prev!) || prev === 'ъ' || prev === 'ь' ? 'ye' : 'e'
    case 'ц': {
      const betweenVowels = i > 0 && i < lower.length - 1 && CYRILLIC_VOWELS.has(prev!)
      const afterPrefix = TSE_PREFIXES.some((p) => p.length === i && lower.join('').startsWith(p))
      return betweenVowels && !afterPrefix ? 'ts' : 's'
    }
    case 'ъ':
      return prev === 'ў' || (next !== undefined && 'еёюя'.includes(next)) ? '' : MODIFIER_APOSTROPHE
    case 'ь':
      return next === 'о' ? 'y' : ''
    case 'ҳ':
      return prev === 'с' ? `${MODIFIER_APOSTROPHE}h` : 'h'
    case 'я':
      return i === yaAsA ? 'a' : 'ya'
    default:
      return CYRILLIC_TO_LATIN[c] ?? null
  }
}
