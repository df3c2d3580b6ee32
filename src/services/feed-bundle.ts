import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { AudienceKey } from '../domain/audience.ts'
import type { FeedFormat } from '../domain/feed-definition.ts'
import { changeTime } from '../domain/feed-snapshot.ts'
import type { Locale } from '../domain/locale.ts'
import type { Bytes } from '../ports/object-store.ts'
import type { RenderedFeed } from './render-feed.ts'

/** Content codings a feed is stored in; `identity` always exists. */
export const ENCODINGS = ['br', 'gzip', 'identity'] as const
export type Encoding = (typeof ENCODINGS)[number]

export interface FeedVariant {
  encoding: Encoding
  body: Bytes
  /** Strong ETag of this variant: different bytes, different tag. */
  etag: string
}

/** One rendering of one feed in every content coding, stored as one object so the variants never disagree. */
export interface FeedBundle {
  feedId: string
  locale: Locale
  format: FeedFormat
  contentType: string
  lastModified: number
  itemCount: number
  /**
   * Fingerprint of everything besides the articles that shaped the bytes (renderer version, public
   * base URL, id authority, hubs, feed definition, locale texts): a stored bundle made under other
   * settings is rendered again rather than served with stale links.
   */
  renderedWith: string
  /** Who it was rendered for; absent in bundles stored before audiences existed (full text). */
  audience?: AudienceKey
  /** When (ms) an embargo it holds back or marks ends: from then on it is out of date. */
  nextRelease?: number
  /** The latest release from embargo among its items (ms), if any. */
  lastRelease?: number
  /** Fingerprint of the feed state it was rendered from, shared by the audiences of one render. */
  source?: string
  /**
   * The change-log entries its state held, of those written at or after `appliedSince` (ms): what
   * another rendering must hold too to replace it without taking a change back (see `covers`).
   */
  applied?: readonly string[]
  appliedSince?: number
  /**
   * On a bundle a publish returns: it holds the same bytes as the rendering it replaced, so no hub is
   * told of it (see rendered-tags.ts). Never stored.
   */
  unchanged?: true
  variants: Partial<Record<Encoding, FeedVariant>> & { identity: FeedVariant }
}

/**
 * Lets the event loop answer what waits (readers, storage replies) before the next compression:
 * `setImmediate` runs after pending I/O, where the platform has it (Node; workerd with nodejs_compat).
 */
const nextTurn = (): Promise<void> =>
  typeof setImmediate === 'function' ? new Promise((resolve) => setImmediate(resolve)) : Promise.resolve()

/**
 * Compresses an encoding once (gzip, and brotli where it beats gzip): requests only pick bytes. The
 * variants' ETags derive from the identity ETag. Brotli quality 5 and gzip level 6: higher settings
 * cost many times the CPU for a few percent of bytes on feed text (README, "Performance"). node:zlib
 * runs in Node and, with nodejs_compat, in workerd. Used for feeds and for the human pages alike.
 * On this thread, one coding at a time with a turn of the event loop before each, so a webhook's
 * renders hold readers up for one compression at most. (libuv's thread pool, tried instead, doubled
 * a republish's CPU on two cores and took it to 1.5x its floor: README, "Performance".)
 */
export async function compressVariants(body: Bytes, etag: string): Promise<FeedBundle['variants']> {
  await nextTurn()
  const gzip = toBytes(gzipSync(body, { level: 6 }))
  await nextTurn()
  const br = toBytes(
    brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
      },
    }),
  )
  const base = etag.slice(0, -1)
  const variants: FeedBundle['variants'] = {
    identity: { encoding: 'identity', body, etag },
    gzip: { encoding: 'gzip', body: gzip, etag: `${base}-gz"` },
  }
  if (br.byteLength < gzip.byteLength) variants.br = { encoding: 'br', body: br, etag: `${base}-br"` }
  return variants
}

/** What a rendering was made from: a fingerprint of its state, and the change-log entries it held. */
export interface BundleSource {
  source: string
  applied: readonly string[]
  appliedSince: number
}

/** A rendering with its variants, ready to store and serve. */
export async function bundleRenderedFeed(
  feed: RenderedFeed,
  renderedWith: string,
  from?: BundleSource,
): Promise<FeedBundle> {
  return {
    feedId: feed.feedId,
    locale: feed.locale,
    format: feed.format,
    contentType: feed.contentType,
    lastModified: feed.lastModified,
    itemCount: feed.itemCount,
    renderedWith,
    audience: feed.audience,
    ...(feed.nextRelease !== undefined && { nextRelease: feed.nextRelease }),
    ...(feed.lastRelease !== undefined && { lastRelease: feed.lastRelease }),
    ...from,
    variants: await compressVariants(feed.body, feed.etag),
  }
}

/**
 * Does a rendering hold every change-log entry of `keys`? An entry older than its window counts as
 * held (its changes were in the state the window starts from). Renderings that do not say what
 * they hold (stored before they did) count as holding everything.
 */
export function holdsEntries(bundle: FeedBundle, keys: readonly string[]): boolean {
  if (!bundle.applied || bundle.appliedSince === undefined) return true
  const held = new Set(bundle.applied)
  const since = bundle.appliedSince
  return keys.every((key) => held.has(key) || changeTime(key) < since)
}

/**
 * May `next` replace `held` for a reader? Only when it holds every change `held` showed: changes
 * apply in any order and the newest wins, so a rendering holding more entries shows no story older.
 * (`held` from before renderings said what they hold: yes.)
 */
export function covers(next: FeedBundle, held: FeedBundle): boolean {
  return holdsEntries(next, held.applied ?? [])
}

function toBytes(buffer: Uint8Array): Bytes {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) as Bytes
}

const MAGIC = [0x53, 0x46, 0x42, 0x31] // "SFB1"
const encoder = new TextEncoder()
const decoder = new TextDecoder()

interface BundleHeader extends Omit<FeedBundle, 'variants'> {
  variants: { encoding: Encoding; etag: string; length: number }[]
}

/** Serializes a bundle: "SFB1", a 4-byte header length, the JSON header, then the variant bodies. */
export function encodeBundle(bundle: FeedBundle): Bytes {
  const variants = ENCODINGS.flatMap((e) => (bundle.variants[e] ? [bundle.variants[e]] : []))
  const header: BundleHeader = {
    ...bundle,
    unchanged: undefined,
    variants: variants.map((v) => ({ encoding: v.encoding, etag: v.etag, length: v.body.byteLength })),
  }
  const headerBytes = encoder.encode(JSON.stringify(header))
  const total = 8 + headerBytes.byteLength + variants.reduce((n, v) => n + v.body.byteLength, 0)
  const out = new Uint8Array(total)
  out.set(MAGIC, 0)
  new DataView(out.buffer).setUint32(4, headerBytes.byteLength)
  out.set(headerBytes, 8)
  let offset = 8 + headerBytes.byteLength
  for (const v of variants) {
    out.set(v.body, offset)
    offset += v.body.byteLength
  }
  return out
}

/**
 * Reads a bundle back; the variant bodies are views into the given bytes (no copy). Null when the
 * bytes are not a whole bundle of this format (garbage, truncated, another version): never throws.
 */
export function decodeBundle(bytes: Bytes): FeedBundle | null {
  if (bytes.byteLength < 8 || MAGIC.some((b, i) => bytes[i] !== b)) return null
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4)
  if (8 + headerLength > bytes.byteLength) return null
  let header: unknown
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(8, 8 + headerLength)))
  } catch {
    return null
  }
  if (!isBundleHeader(header)) return null
  let offset = 8 + headerLength
  const variants: Partial<Record<Encoding, FeedVariant>> = {}
  for (const v of header.variants) {
    if (offset + v.length > bytes.byteLength) return null
    variants[v.encoding] = {
      encoding: v.encoding,
      etag: v.etag,
      body: bytes.subarray(offset, offset + v.length),
    }
    offset += v.length
  }
  if (!variants.identity || offset !== bytes.byteLength) return null
  return { ...header, variants: variants as FeedBundle['variants'] }
}

function isBundleHeader(value: unknown): value is BundleHeader {
  if (typeof value !== 'object' || value === null) return false
  const h = value as Record<string, unknown>
  return (
    typeof h.feedId === 'string' &&
    typeof h.locale === 'string' &&
    typeof h.format === 'string' &&
    typeof h.contentType === 'string' &&
    typeof h.renderedWith === 'string' &&
    Number.isFinite(h.lastModified) &&
    Number.isInteger(h.itemCount) &&
    (h.applied === undefined ||
      (Array.isArray(h.applied) && h.applied.every((key) => typeof key === 'string'))) &&
    (h.appliedSince === undefined || Number.isFinite(h.appliedSince)) &&
    Array.isArray(h.variants) &&
    h.variants.every(isVariantHeader)
  )
}

function isVariantHeader(value: unknown): value is BundleHeader['variants'][number] {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    (ENCODINGS as readonly unknown[]).includes(v.encoding) &&
    typeof v.etag === 'string' &&
    Number.isInteger(v.length) &&
    (v.length as number) >= 0
  )
}

/** Whether an embargo a rendering holds back (or marks) has ended: it must not be served any more. */
export function isOutdated(bundle: FeedBundle, now: number): boolean {
  return bundle.nextRelease !== undefined && bundle.nextRelease <= now
}
