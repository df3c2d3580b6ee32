import { formatRfc3339 } from './dates.ts'
import type { ItemModel } from './feed-renderer.ts'
import { attrs, textElement } from './xml.ts'

/** The XML namespace of Silkfeed's own elements in RSS and Atom (README, "Partners"). */
const SILKFEED_NAMESPACE = 'https://silkfeed.dev/ns/1.0'

/**
 * `<sf:embargoedUntil>` (ninjs `embargoedUntil`) for an item still under embargo, or nothing. The
 * namespace is declared on the element itself: only partner renderings carry it, and the document
 * around the items stays the same for every audience.
 */
export function embargoElement(item: ItemModel, timeZone: string, indent: string): string[] {
  if (item.embargoedUntil === undefined) return []
  const when = formatRfc3339(item.embargoedUntil, timeZone)
  return [`${indent}${textElement('sf:embargoedUntil', when, attrs({ 'xmlns:sf': SILKFEED_NAMESPACE }))}`]
}
