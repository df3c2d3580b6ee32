import { lastChangeOf, type Article } from './article.ts'

/** FNV-1a, 64-bit, as 16 hex digits: a stable, synchronous fingerprint of a string (not a security hash). */
export function fingerprint(text: string): string {
  let hash = 0xcbf29ce484222325n
  const bytes = new TextEncoder().encode(text)
  for (const byte of bytes) {
    hash ^= BigInt(byte)
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return hash.toString(16).padStart(16, '0')
}

/** Milliseconds as 15 digits, so that keys sort by time (clamped at the epoch). */
export function sortableTime(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(15, '0')
}

/**
 * The version of a record: derived or not, its last change, then its content's fingerprint. Keys built from it sort
 * newest last, and every writer and reader breaks ties between same-time versions the same way.
 */
export function versionOf(record: Article): string {
  const prefix = record.derivedFrom ? DERIVED_PREFIX : ''
  return `${prefix}${sortableTime(lastChangeOf(record))}-${fingerprint(JSON.stringify(record))}`
}

/**
 * Marks versions Silkfeed derived itself (a transliteration or script conversion). `!` sorts before
 * every digit, so any version an editor sent for a locale outranks every derived one, whatever their
 * dates: a hand-made Cyrillic text is never overwritten by a machine one.
 */
export const DERIVED_PREFIX = '!'

/** Is this version (or retraction) key part derived? */
export function isDerivedVersion(version: string): boolean {
  return version.startsWith(DERIVED_PREFIX)
}
