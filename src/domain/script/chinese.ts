/**
 * Simplified → Traditional Chinese with opencc-js (phrase-level OpenCC, LOCALES.md §7), using the
 * Taiwan standard forms (`cn` → `tw`, OpenCC s2tw): 為 群眾 著 裡 rather than OpenCC's own 爲 羣衆 着 裏.
 * Tag the output `zh-Hant-TW` (LOCALES.md §1); the RSS `<language>` stays `zh-tw`.
 *
 * Building the converter loads ~1 MB of dictionaries and costs 150–350 ms of CPU, so it happens once,
 * on first use, never at import. Convert at ingest (Node) rather than per request in a Worker.
 */
import { ConverterBuilder, type ConverterFunction } from 'opencc-js/core'
import * as cn2t from 'opencc-js/preset/cn2t'
import { mapHtmlText } from './html-text.ts'
import { mapOutsideLinks } from './links.ts'

/** The language tag of {@link simplifiedToTraditional} output. */
export const TRADITIONAL_CHINESE_TAG = 'zh-Hant-TW'

let converter: ConverterFunction | undefined

/** Converts Simplified Chinese text to Traditional (Taiwan standard); links pass through. */
export function simplifiedToTraditional(text: string): string {
  converter ??= ConverterBuilder(cn2t)({ from: 'cn', to: 'tw' })
  const convert = converter
  return mapOutsideLinks(text, (part) => convert(part))
}

/** {@link simplifiedToTraditional} over the text nodes of an HTML fragment; markup is never touched. */
export function simplifiedToTraditionalHtml(html: string): string {
  return mapHtmlText(html, simplifiedToTraditional)
}
