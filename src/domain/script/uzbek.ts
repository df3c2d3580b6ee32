/**
 * Uzbek Latin → Cyrillic (1995 orthography, LOCALES.md §4); the other direction is uzbek-to-latin.ts.
 * URLs, e-mail addresses and characters of other scripts pass through.
 */
import { mapHtmlTextRuns, mapOutsideCharacterReferences } from './html-text.ts'
import { isUpperLetter } from './letter-case.ts'
import { mapOutsideLinks } from './links.ts'
import {
  decodeApostropheReferences,
  MODIFIER_APOSTROPHE,
  normalizeUzbekLatin,
  TURNED_COMMA,
} from './uzbek-apostrophes.ts'
import { UZBEK_ENDINGS, UZBEK_LATIN_EXCEPTIONS } from './uzbek-exceptions.ts'
import {
  hasNonUzbekLetters,
  isForeignAcronym,
  mapOutsideForeignQuotations,
  mapOutsideForeignQuotationsInHtml,
  textOfRun,
  UZBEK_ACRONYMS,
  WORD,
} from './uzbek-foreign.ts'

const LATIN_TO_CYRILLIC: Record<string, string> = {
  a: 'а',
  b: 'б',
  d: 'д',
  f: 'ф',
  g: 'г',
  h: 'ҳ',
  i: 'и',
  j: 'ж',
  k: 'к',
  l: 'л',
  m: 'м',
  n: 'н',
  o: 'о',
  p: 'п',
  q: 'қ',
  r: 'р',
  s: 'с',
  t: 'т',
  u: 'у',
  v: 'в',
  x: 'х',
  y: 'й',
  z: 'з',
}

const LATIN_VOWELS = new Set('aeiou')

/**
 * Converts Uzbek Latin text to Cyrillic. Apostrophe look-alikes are normalized first (O'zbekiston,
 * O‘zbekiston). Ambiguous words come from UZBEK_LATIN_EXCEPTIONS; everything else follows the letter
 * rules: e → э at the start of a word and after a vowel, ye → е, yo/yu/ya → ё/ю/я, sh/ch → ш/ч,
 * sʼh → сҳ, oʻ/gʻ → ў/ғ, ʼ → ъ, ts → тс (but ц at the start of a word, and in vowel + tsiya/tsion;
 * ksiya/ksion and nsiya → ц), sz → цз (Szinpin → Цзинпин).
 *
 * Left in Latin, because they are not Uzbek words:
 * - URLs, domains and e-mail addresses;
 * - words with letters Uzbek Latin lacks: w, c outside ch, or an accented Latin letter (with,
 *   Financial, Société), and capitalized words that directly follow one (Financial Times,
 *   Wall Street Journal); a lone English word without such letters (Reuters) is converted;
 * - a quotation (“…”, «…», "…") containing such a word, kept whole («Doing Business with Russia»);
 * - all-capital words of 2–5 letters not in UZBEK_ACRONYMS (MBA, SCO, IT), alone in a text (a tag
 *   `MBA`, a credit `AFP` or `AFP/EPA`) or among lower-case words, unless they stand next to another
 *   all-capital word (not one of UZBEK_ACRONYMS) or the text is an all-capital headline (no
 *   lower-case letter, and some word that is not such an acronym): then they are part of an
 *   all-capital phrase or headline (XALQ SOʻZI) and are converted.
 */
export function uzbekLatinToCyrillic(text: string): string {
  const normalized = normalizeUzbekLatin(text.normalize('NFC'))
  return latinTextToCyrillic(normalized, isHeadline(normalized))
}

/**
 * {@link uzbekLatinToCyrillic} over the text nodes of an HTML fragment; markup is never touched. A
 * text run is part of an all-capital headline when it is one itself, or when it has no lower-case
 * letter and the fragment's text as a whole is one (`<h1>XALQ <b>SOʻZI</b></h1>`); a lone acronym
 * (`<a href="…">MBA</a>` in lower-case text) is not.
 */
export function uzbekLatinToCyrillicHtml(html: string): string {
  let fragment = ''
  mapHtmlTextRuns(html, (run) => {
    fragment += `${textOfRun(decodeApostropheReferences(run))} `
    return run
  })
  const fragmentIsHeadline = isHeadline(fragment)
  return mapHtmlTextRuns(html, (run) => {
    const decoded = decodeApostropheReferences(run)
    const text = textOfRun(decoded)
    const headline = isHeadline(text) || (fragmentIsHeadline && !hasLowerCase(text))
    return mapOutsideForeignQuotationsInHtml(decoded, (part) =>
      mapOutsideCharacterReferences(part, (piece) =>
        latinTextToCyrillic(normalizeUzbekLatin(piece.normalize('NFC')), headline),
      ),
    )
  })
}

const hasLowerCase = (text: string): boolean => /\p{Ll}/u.test(text)

/**
 * An all-capital headline: no lower-case letter, and not only foreign acronyms (a lone `MBA` or
 * `AFP/EPA` is a tag or a credit, not a headline).
 */
const isHeadline = (text: string): boolean =>
  !hasLowerCase(text) && (text.match(WORD) ?? []).some((word) => !isForeignAcronym(word))

function latinTextToCyrillic(normalized: string, headline: boolean): string {
  return mapOutsideLinks(normalized, (part) =>
    mapOutsideForeignQuotations(part, (text) => convertLatinWords(text, headline)),
  )
}

function convertLatinWords(text: string, headline: boolean): string {
  const words = [...text.matchAll(WORD)].map((m) => ({
    word: m[0],
    start: m.index,
    end: m.index + m[0].length,
  }))
  const adjacent = (k: number) =>
    k > 0 && k < words.length && /^\s+$/.test(text.slice(words[k - 1]!.end, words[k]!.start))
  const keep = words.map(({ word }) => hasNonUzbekLetters(word))
  for (let k = 1; k < words.length; k++) {
    if (!keep[k] && keep[k - 1] && adjacent(k) && isUpperLetter(words[k]!.word[0])) keep[k] = true
  }
  // All-capital words other than the known abbreviations mark an all-capital phrase (YANGI KUN)
  const caps = words.map(({ word }) => /^[A-Z][A-Z\u02BB\u02BC]+$/.test(word) && !UZBEK_ACRONYMS.has(word))
  const inCapsPhrase = (k: number) => (adjacent(k) && caps[k - 1]) || (adjacent(k + 1) && caps[k + 1])
  let out = ''
  let last = 0
  words.forEach(({ word, start, end }, k) => {
    const foreign = keep[k] || (isForeignAcronym(word) && !headline && !inCapsPhrase(k))
    out += text.slice(last, start) + (foreign ? word : latinWordToCyrillic(word))
    last = end
  })
  return out + text.slice(last)
}

function latinWordToCyrillic(word: string): string {
  const chars = Array.from(word)
  const lower = chars.map((c) => c.toLowerCase())
  const exception = findException(lower.join(''))
  if (exception === undefined) return latinLettersToCyrillic(chars, lower, 0)
  const [key, cyrillic] = exception
  const keyLength = Array.from(key).length
  return matchWordCase(cyrillic, chars.slice(0, keyLength)) + latinLettersToCyrillic(chars, lower, keyLength)
}

function findException(lowerWord: string): [string, string] | undefined {
  let best: [string, string] | undefined
  for (const [key, cyrillic] of UZBEK_LATIN_EXCEPTIONS) {
    if (!lowerWord.startsWith(key) || (best && best[0].length >= key.length)) continue
    const ending = lowerWord.slice(key.length)
    // (a length cap keeps the ending regex from backtracking over long non-words)
    if (key.length >= 6 || (ending.length <= 16 && UZBEK_ENDINGS.test(ending))) best = [key, cyrillic]
  }
  return best
}

/** Capitals for an all-capital source (SIRK → ЦИРК), a capital first letter for a capitalized one. */
function matchWordCase(cyrillic: string, source: readonly string[]): string {
  const cased = source.filter((c) => c.toLowerCase() !== c.toUpperCase())
  if (cased.length > 1 && cased.every(isUpperLetter)) return cyrillic.toUpperCase()
  if (isUpperLetter(source[0])) return cyrillic.charAt(0).toUpperCase() + cyrillic.slice(1)
  return cyrillic
}

/** Converts `chars[from…]` by the letter rules (the letters before `from` still count as context). */
function latinLettersToCyrillic(chars: readonly string[], lower: readonly string[], from: number): string {
  let out = ''
  let i = from
  while (i < chars.length) {
    const [cyrillic, length] = latinUnitToCyrillic(lower, i)
    if (cyrillic === null) {
      out += chars[i]!
      i += 1
      continue
    }
    // ʼ has no case: its ъ is a capital between capitals (MAʼNO → МАЪНО)
    const upper =
      chars[i] === MODIFIER_APOSTROPHE
        ? isUpperLetter(chars[i - 1]) && isUpperLetter(chars[i + 1])
        : isUpperLetter(chars[i])
    // a two-letter unit of a capitalized word (Sz → Цз) capitalizes its first letter only
    const capitalOnly =
      upper && cyrillic.length > 1 && chars.slice(i + 1, i + length).some((c) => /\p{Ll}/u.test(c))
    out += capitalOnly
      ? cyrillic.charAt(0).toUpperCase() + cyrillic.slice(1)
      : upper
        ? cyrillic.toUpperCase()
        : cyrillic
    i += length
  }
  return out
}

/** The Cyrillic for the letter unit at `lower[i]` and how many Latin characters it spans. */
function latinUnitToCyrillic(lower: readonly string[], i: number): [string | null, number] {
  const c = lower[i]!
  const next = lower[i + 1]
  const rest = lower.slice(i, i + 6).join('')
  const prev = lower[i - 1]
  const afterVowel =
    prev !== undefined && (LATIN_VOWELS.has(prev) || (prev === TURNED_COMMA && lower[i - 2] === 'o'))
  switch (c) {
    case 's':
      if (rest.startsWith(`s${MODIFIER_APOSTROPHE}h`)) return ['сҳ', 3]
      if (next === 'h') return ['ш', 2]
      if (next === 'z') return ['цз', 2] // Chinese names: Szinpin → Цзинпин, Szyanszyun → Цзянцзюн
      if ((prev === 'k' && /^si(?:ya|on)/.test(rest)) || (prev === 'n' && rest.startsWith('siya'))) {
        return ['ц', 1]
      }
      return ['с', 1]
    case 'c':
      return next === 'h' ? ['ч', 2] : [null, 1]
    case 'o':
      return next === TURNED_COMMA ? ['ў', 2] : ['о', 1]
    case 'g':
      return next === TURNED_COMMA ? ['ғ', 2] : ['г', 1]
    case 'y':
      if (next === 'o' && lower[i + 2] === TURNED_COMMA) return ['й', 1] // yoʻl → йўл
      if (next === 'o') return ['ё', 2]
      if (next === 'u') return ['ю', 2]
      if (next === 'a') return ['я', 2]
      if (next === 'e') return ['е', 2]
      return ['й', 1]
    case 'e':
      return [prev === undefined || afterVowel ? 'э' : 'е', 1]
    case 't':
      if (prev === undefined && next === 's') return ['ц', 2] // tsirk → цирк, Tsindao → Циндао
      if (afterVowel && /^tsi(?:y[ae]|on)/.test(rest)) return ['ц', 2]
      return ['т', 1]
    case MODIFIER_APOSTROPHE:
      return ['ъ', 1]
    default:
      return [LATIN_TO_CYRILLIC[c] ?? null, 1]
  }
}
