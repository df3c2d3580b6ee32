const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // XML parsers turn a literal CR (or CRLF) into LF; a character reference survives.
  '\r': '&#13;',
}

// Attribute-value normalization turns literal tab and LF into spaces; references survive.
const ATTRIBUTE_ESCAPES: Record<string, string> = { ...XML_ESCAPES, '\t': '&#9;', '\n': '&#10;' }

/**
 * Escapes text for XML element content (attribute values go through `escapeAttribute`). Text reaching
 * here was validated to hold only XML 1.0 characters (see domain/xml-text.ts), so escaping is all
 * that is left to do.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c] ?? c)
}

/** Escapes text for an attribute value, keeping tabs and line breaks as they were. */
function escapeAttribute(text: string): string {
  return text.replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c)
}

/** An element with escaped text content, or nothing when the value is absent. */
export function textElement(name: string, value: string | undefined, attributes = ''): string {
  return value === undefined ? '' : `<${name}${attributes}>${escapeXml(value)}</${name}>`
}

/** ` name="value"` pairs for the defined values, escaped. */
export function attrs(values: Record<string, string | number | undefined>): string {
  let out = ''
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) out += ` ${name}="${escapeAttribute(String(value))}"`
  }
  return out
}
