import { mapHtmlTextRuns, mapOutsideCharacterReferences } from './html-text.ts'
import { mapOutsideLinks } from './links.ts'

/** U+02BB MODIFIER LETTER TURNED COMMA: the mark of oʻ and gʻ. */
export const TURNED_COMMA = '\u02BB'
/** U+02BC MODIFIER LETTER APOSTROPHE: tutuq belgisi (maʼno, sanʼat). */
export const MODIFIER_APOSTROPHE = '\u02BC'

/**
 * What editors type for either mark: ASCII apostrophe, grave accent, acute accent, single quotation
 * marks, and the two modifier letters themselves (each can stand where the other belongs).
 */
const APOSTROPHE_LIKE = new Set(["'", '`', '\u00B4', '\u2018', '\u2019', TURNED_COMMA, MODIFIER_APOSTROPHE])

/** Characters that can open a quotation written with apostrophe look-alikes, and what may close it. */
const QUOTE_CLOSERS: Record<string, string> = { "'": "'", '\u2018': '\u2019\u2018', '`': "`'" }

/** Apostrophe-like character references (WordPress writes O&#8217;zbekiston), the modifier letters included. */
const APOSTROPHE_REFERENCE =
  /&(?:#0*(?:39|96|180|699|700|821[67])|#[xX]0*(?:27|60|[bB]4|2[bB][bBcC]|201[89])|apos|lsquo|rsquo|grave|acute);/

const isLetter = (c: string | undefined): boolean =>
  c !== undefined && !APOSTROPHE_LIKE.has(c) && /^[\p{L}\p{M}]$/u.test(c)

/**
 * Normalizes Uzbek Latin apostrophes: o/g followed by a look-alike becomes oʻ/gʻ (U+02BB); any other
 * look-alike between two letters becomes the tutuq belgisi ʼ (U+02BC). An apostrophe that closes a
 * quotation opened by the same kind of mark ('Kino') stays a quotation mark. URLs and e-mail
 * addresses are left alone.
 */
export function normalizeUzbekLatin(text: string): string {
  return mapOutsideLinks(text, normalizeApostrophes)
}

/** {@link normalizeUzbekLatin} over the text nodes of an HTML fragment; markup is never touched. */
export function normalizeUzbekLatinHtml(html: string): string {
  return mapHtmlTextRuns(html, (run) =>
    mapOutsideCharacterReferences(decodeApostropheReferences(run), normalizeUzbekLatin),
  )
}

/**
 * Replaces apostrophe-like character references that sit between two letters by the character
 * itself, so that `O&#8217;zbekiston` can be normalized; every other reference stays as written.
 */
export function decodeApostropheReferences(run: string): string {
  const pattern = new RegExp(APOSTROPHE_REFERENCE.source, 'g')
  return run.replace(pattern, (reference, offset: number) => {
    const before = run[offset - 1]
    const after = run[offset + reference.length]
    return isLetter(before) && isLetter(after) ? "'" : reference
  })
}

function normalizeApostrophes(text: string): string {
  const chars = Array.from(text)
  const openQuotes = new Set<string>()
  let out = ''
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (!APOSTROPHE_LIKE.has(c)) {
      if (c === '\n') openQuotes.clear() // an unclosed quotation does not run past its paragraph
      out += c
      continue
    }
    const before = chars[i - 1]
    const after = chars[i + 1]
    const letterBefore = isLetter(before)
    const letterAfter = isLetter(after)
    if (!letterBefore && letterAfter && c in QUOTE_CLOSERS) {
      openQuotes.add(c) // 'Kino… : an opening quotation mark
      out += c
      continue
    }
    if (letterBefore && !letterAfter && !APOSTROPHE_LIKE.has(after!)) {
      const opener = [...openQuotes].find((q) => QUOTE_CLOSERS[q]!.includes(c))
      if (opener !== undefined) {
        openQuotes.delete(opener) // …kino' closes the quotation, it is not togʻ
        out += c
        continue
      }
    }
    if (letterBefore && /^[OoGg]$/.test(before!)) out += TURNED_COMMA
    else if (letterBefore && letterAfter) out += MODIFIER_APOSTROPHE
    else out += c
  }
  return out
}
