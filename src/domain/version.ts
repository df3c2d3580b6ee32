import { lastChangeOf, type Article } from './article.ts'

/**
 * FNV-1a, 64-bit, as 16 hex digits: a stable, synchronous fingerprint of a string (not a security
 * hash). Computed on two 32-bit halves: the prime is 2^40 + 0x1b3, so a multiplication is the low half
 * times 0x1b3 (with its carry) plus the low half shifted into the high one.
 */
export function fingerprint(text: string): string {
  let hi = 0xcbf29ce4
  let lo = 0x84222325
  for (const byte of encoder.encode(text)) {
    lo = (lo ^ byte) >>> 0
    const low = lo * 0x1b3 // < 2^41: exact in a double
    hi = (Math.imul(hi, 0x1b3) + (lo << 8) + Math.floor(low / 0x1_0000_0000)) >>> 0
    lo = low >>> 0
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0')
}

const encoder = new TextEncoder()

/** Milliseconds as 15 digits, so that keys sort by time (clamped at the epoch). */
export function sortableTime(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(15, '0')
}

/**
 * The version of a record: derived or not, its last change, the derivation that made it (if any),
 * then its content's fingerprint. Keys built from it sort newest last, and every writer and reader
 * breaks ties between same-time versions the same way: a variant derived again by newer converters
 * outranks the one it replaces.
 */
export function versionOf(record: Article): string {
  let version = versions.get(record)
  if (version === undefined) {
    const prefix = record.derivedFrom ? DERIVED_PREFIX : ''
    const derivation = record.derivation === undefined ? '' : derivationMark(record.derivation)
    version = `${prefix}${sortableTime(lastChangeOf(record))}-${derivation}${fingerprint(recordJson(record))}`
    versions.set(record, version)
  }
  return version
}

// Records are never mutated once validated, so a version is worked out once per object.
const versions = new WeakMap<Article, string>()

/**
 * A record as JSON, made once per record object: for its version and for every snapshot that stores
 * it (a feed's snapshot is written at each republish, and most of its records did not change).
 */
export function recordJson(record: Article): string {
  let json = texts.get(record)
  if (json === undefined) texts.set(record, (json = JSON.stringify(record)))
  return json
}
const texts = new WeakMap<Article, string>()

/**
 * Marks versions Silkfeed derived itself (a transliteration or script conversion). `!` sorts before
 * every digit, so any version an editor sent for a locale outranks every derived one, whatever their
 * dates: a hand-made Cyrillic text is never overwritten by a machine one.
 */
export const DERIVED_PREFIX = '!'

/**
 * `g02-`, `g03-`…: `g` sorts after every hex digit of a fingerprint and before the `~` of a
 * retraction, so at the same time a later derivation outranks an earlier one (and the variants stored
 * before derivations were counted), and a retraction still wins a tie.
 */
function derivationMark(derivation: number): string {
  return `g${String(derivation).padStart(2, '0')}-`
}

/** Is this version (or retraction) key part derived? */
export function isDerivedVersion(version: string): boolean {
  return version.startsWith(DERIVED_PREFIX)
}
