/**
 * Kazakh Cyrillic → Latin, the 2021 alphabet (LOCALES.md §5). Letter by letter: и/й → i (capital
 * İ), і → ı (capital I); Russian loan letters take their mechanical substitutes (ё io, ю iu, я ia,
 * ц ts, ч tş, щ şş, э e; ъ and ь are dropped), but ё and ю the adapted ö and ü in the loans of
 * ADAPTED_STEMS (актёр aktör). Output is NFC. Latin letters, digits and links in the
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

/**
 * Russian loans written with the adapted substitutes (LOCALES.md §5: "the mechanical form plus a word
 * list"): in these stems, and the words made from them (актёрлар, бюрократ), ё is ö and ю is ü
 * (актёр aktör, бюро büro), as in the French and German words they come from; elsewhere ё and ю
 * stay io and iu. Stems, lower case.
 */
const ADAPTED_STEMS = [
  'актёр',
  'боксёр',
  'гримёр',
  'дирижёр',
  'контролёр',
  'ликёр',
  'монтёр',
  'партнёр',
  'режиссёр',
  'сапёр',
  'стажёр',
  'суфлёр',
  'шофёр',
  'брошюр',
  'бюллетен',
  'бюро',
  'жюри',
  'меню',
  'нюанс',
  'парашют',
  'пюре',
]
const ADAPTED: Record<string, string> = { ё: 'ö', ю: 'ü' }

function cyrillicWordToLatin(word: string): string {
  const chars = Array.from(word)
  const lower = word.toLowerCase()
  const stem = ADAPTED_STEMS.find((s) => lower.startsWith(s))?.length ?? 0
  let out = ''
  for (let i = 0; i < chars.length; i++) {
    const letter = chars[i]!.toLowerCase()
    const latin = (i < stem && ADAPTED[letter]) || CYRILLIC_TO_LATIN[letter]
    out += latin === undefined ? chars[i]! : matchLetterCase(latin, chars, i, toTurkicUpperCase)
  }
  return out
}
