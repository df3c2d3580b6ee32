/**
 * Kazakh Cyrillic → Latin, the 2021 alphabet (LOCALES.md §5). Letter by letter: и/й → i (capital
 * İ), і → ı (capital I); Russian loan letters take their mechanical substitutes (ё io, ю iu, я ia,
 * ц ts, ч tş, щ şş, э e; ъ and ь are dropped). Output is NFC. Latin letters, digits and links in the
 * input pass through.
 */
import { mapHtmlText } from './html-text.ts'
import { matchLetterCase } from './letter-case.ts'
import { mapOutsideLinks } from './links.ts'
import { toTurkicUpperCase } from './turkic-case.ts'

const WORD = /[\p{L}\p{M}]+/gu

const CYRILLIC_TO_LATIN: Record<string, string> = {
  а: 'a',
  ә: 'ä',
  б: 'b',
  в: 'v',
  г: 'g',
  ғ: 'ğ',
  д: 'd',
  е: 'e',
  ё: 'io',
  ж: 'j',
  з: 'z',
  и: 'i',
  й: 'i',
  і: 'ı',
  к: 'k',
  қ: 'q',
  л: 'l',
  м: 'm',
  н: 'n',
  ң: 'ñ',
  о: 'o',
  ө: 'ö',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ұ: 'ū',
  ү: 'ü',
  ф: 'f',
  х: 'h',
  һ: 'h',
  ц: 'ts',
  ч: 'tş',
  ш: 'ş',
  щ: 'şş',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'iu',
  я: 'ia',
}

/** Converts Kazakh Cyrillic text to the 2021 Latin alphabet. */
export function kazakhCyrillicToLatin(text: string): string {
  return mapOutsideLinks(text.normalize('NFC'), (part) => part.replace(WORD, cyrillicWordToLatin)).normalize(
    'NFC',
  )
}

/** {@link kazakhCyrillicToLatin} over the text nodes of an HTML fragment; markup is never touched. */
export function kazakhCyrillicToLatinHtml(html: string): string {
  return mapHtmlText(html, kazakhCyrillicToLatin)
}

function cyrillicWordToLatin(word: string): string {
  const chars = Array.from(word)
  let out = ''
  for (let i = 0; i < chars.length; i++) {
    const latin = CYRILLIC_TO_LATIN[chars[i]!.toLowerCase()]
    out += latin === undefined ? chars[i]! : matchLetterCase(latin, chars, i, toTurkicUpperCase)
  }
  return out
}
