/**
 * Characters XML 1.0 cannot carry: C0 controls except tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
 * The article schema rejects them (the editor learns exactly where), so renderers never see them.
 */
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Describes the first character XML cannot carry, or returns null when the text is clean. */
export function findNonXmlChar(text: string): { index: number; codePoint: string } | null {
  const match = NOT_XML_CHAR.exec(text)
  if (!match) return null
  const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')
  return { index: match.index, codePoint: `U+${code}` }
}
