const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
}

/**
 * Escapes text for XML element content and attribute values. Text reaching here was validated to
 * hold only XML 1.0 characters (see domain/xml-text.ts), so escaping is all that is left to do.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c)
}

/** An element with escaped text content, or nothing when the value is absent. */
export function textElement(name: string, value: string | undefined, attributes = ''): string {
  return value === undefined ? '' : `<${name}${attributes}>${escapeXml(value)}</${name}>`
}

/** ` name="value"` pairs for the defined values, escaped. */
export function attrs(values: Record<string, string | number | undefined>): string {
  let out = ''
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) out += ` ${name}="${escapeXml(String(value))}"`
  }
  return out
}
