/**
 * Turkic casing without locale data: dotted i ↔ İ (U+0130), dotless ı (U+0131) ↔ I. The default
 * String methods give `i` → `I` and `İ` → `i̇` (i + U+0307), and `toLocale*Case('kk')` is not Turkic.
 */

/** Upper-cases text with Turkic rules: i → İ, ı → I. */
export function toTurkicUpperCase(text: string): string {
  return text.replace(/i/g, '\u0130').toUpperCase()
}

/** Lower-cases text with Turkic rules: I → ı, İ (or I + combining dot) → i; never produces i̇. */
export function toTurkicLowerCase(text: string): string {
  return text
    .replace(/\u0130|I\u0307/g, 'i')
    .replace(/I/g, '\u0131')
    .toLowerCase()
}
