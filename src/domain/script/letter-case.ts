/** Case helpers shared by the Cyrillic → Latin converters. */

/** True for a letter in upper case (Ш, Ғ, İ); false for uncased characters such as ʼ or digits. */
export function isUpperLetter(c: string | undefined): boolean {
  return c !== undefined && c !== c.toLowerCase() && c === c.toUpperCase()
}

/** True for any letter or combining mark. */
function isLetter(c: string | undefined): boolean {
  return c !== undefined && /^[\p{L}\p{M}]$/u.test(c)
}

/**
 * Gives the lower-case Latin rendering of `chars[i]` the case of that letter. A capital that becomes
 * several Latin letters is written in full capitals when its neighbour is a capital too
 * (ШАҲАР → SHAHAR, АҚШ → AQSH) and in title case otherwise (Шаҳар → Shahar, Ш. → Sh.).
 */
export function matchLetterCase(
  latin: string,
  chars: readonly string[],
  i: number,
  upper: (text: string) => string,
): string {
  if (!isUpperLetter(chars[i])) return latin
  const next = chars[i + 1]
  const allCaps = isLetter(next) ? isUpperLetter(next) : isUpperLetter(chars[i - 1])
  return allCaps ? upper(latin) : toTitleCase(latin, upper)
}

/** Upper-cases the first cased character only: oʻ → Oʻ, ʼh → ʼH, ts → Ts. */
function toTitleCase(latin: string, upper: (text: string) => string): string {
  const chars = Array.from(latin)
  const first = chars.findIndex((c) => upper(c) !== c)
  if (first === -1) return latin
  chars[first] = upper(chars[first]!)
  return chars.join('')
}
