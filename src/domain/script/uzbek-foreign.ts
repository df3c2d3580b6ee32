/**
 * What Uzbek Latin → Cyrillic (uzbek.ts) leaves in Latin because it is not Uzbek: foreign acronyms,
 * words with letters Uzbek Latin lacks, and quotations that contain such a word.
 */
import { mapOutsideCharacterReferences } from './html-text.ts'

/** A word: letters and combining marks (ʻ and ʼ are letters). */
export const WORD = /[\p{L}\p{M}]+/gu

/**
 * All-capital abbreviations that are Uzbek (or written in Cyrillic in Uzbek Cyrillic texts) and so
 * are converted; any other all-capital word of 2–5 letters is taken for a foreign acronym (MBA, SCO).
 */
export const UZBEK_ACRONYMS: ReadonlySet<string> = new Set([
  'SHHT', // ШҲТ, Shanxay hamkorlik tashkiloti
  'BMT', // БМТ, Birlashgan Millatlar Tashkiloti
  'AQSH', // АҚШ
  'MDH', // МДҲ, Mustaqil davlatlar hamdoʻstligi
  'YEXHT', // ЕХҲТ, OSCE
  'NATO', // НАТО
  'XVF', // ХВФ, IMF
  'JSST', // ЖССТ, WHO
  'IIV', // ИИВ
  'FVV', // ФВВ
  'DXX', // ДХХ
  'OAV', // ОАВ
  'YAIM', // ЯИМ, GDP
  'BAA', // БАА, UAE
  'XXR', // ХХР, PRC
  'RF', // РФ
  'QR', // ҚР, Qoraqalpogʻiston Respublikasi
  'MFY', // МФЙ
  'OTM', // ОТМ
  'XKP', // ХКП, Xitoy Kommunistik Partiyasi
])

/** Quotations checked as a whole for foreign words: “…”, "…", «…», „…“. */
const QUOTATION = /“[^”]*”|"[^"]*"|«[^»]*»|„[^“”]*[“”]/g

/** A quotation mark in HTML source: the character or a character reference to it. */
const mark = (char: string, name: string, code: number): string =>
  `(?:${char}|&${name}${['laquo', 'raquo', 'quot'].includes(name) ? ';?' : ';'}` +
  `|&#0*${code}(?![0-9]);?|&#[xX]0*${hexDigits(code)}(?![0-9a-fA-F]);?)`
const hexDigits = (code: number): string =>
  Array.from(code.toString(16), (d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d)).join('')
const LEFT = mark('“', 'ldquo', 0x201c)
const RIGHT = mark('”', 'rdquo', 0x201d)
const LOW = mark('„', 'bdquo', 0x201e)
const LEFT_GUILLEMET = mark('«', 'laquo', 0xab)
const RIGHT_GUILLEMET = mark('»', 'raquo', 0xbb)
const STRAIGHT = mark('"', 'quot', 0x22)
const upTo = (close: string): string => `(?:(?!${close})[\\s\\S])*?${close}`

/** {@link QUOTATION} in an HTML text run, whose marks may be character references (&ldquo;…&rdquo;). */
const QUOTATION_IN_HTML = new RegExp(
  [
    LEFT + upTo(RIGHT),
    STRAIGHT + upTo(STRAIGHT),
    LEFT_GUILLEMET + upTo(RIGHT_GUILLEMET),
    LOW + upTo(`(?:${LEFT}|${RIGHT})`),
  ].join('|'),
  'g',
)

/** An all-capital word of 2–5 letters that is not Uzbek: a foreign acronym (MBA, AFP, IT). */
export const isForeignAcronym = (word: string): boolean =>
  /^[A-Z]{2,5}$/.test(word) && !UZBEK_ACRONYMS.has(word)

/** w, c outside ch, or an accented Latin letter: not an Uzbek Latin word. */
export function hasNonUzbekLetters(word: string): boolean {
  return /[wW]|[cC](?![hH])|[\u00C0-\u024F\u1E00-\u1EFF]/.test(word)
}

/** The text of a raw HTML text run without its character references (each read as a space). */
export function textOfRun(run: string): string {
  let text = ''
  mapOutsideCharacterReferences(run, (piece) => (text += `${piece} `))
  return text
}

/** Applies `fn` to `text` outside the quotations that contain a foreign word, which pass through whole. */
export function mapOutsideForeignQuotations(text: string, fn: (part: string) => string): string {
  return mapOutsideQuotations(text, QUOTATION, (quoted) => quoted, fn)
}

/**
 * {@link mapOutsideForeignQuotations} over a raw HTML text run, whose quotation marks may be
 * character references: `&laquo;Doing Business with Russia&raquo;` passes through whole.
 */
export function mapOutsideForeignQuotationsInHtml(run: string, fn: (part: string) => string): string {
  return mapOutsideQuotations(run, QUOTATION_IN_HTML, textOfRun, fn)
}

function mapOutsideQuotations(
  text: string,
  quotation: RegExp,
  textOf: (quoted: string) => string,
  fn: (part: string) => string,
): string {
  let out = ''
  let last = 0
  for (const match of text.matchAll(quotation)) {
    const quoted = match[0]
    if (!(textOf(quoted).match(WORD) ?? []).some(hasNonUzbekLetters)) continue
    out += fn(text.slice(last, match.index)) + quoted
    last = match.index + quoted.length
  }
  return out + fn(text.slice(last))
}
