import { parseWeightedList } from './q-values.ts'
import { ENCODINGS, type Encoding, type FeedBundle, type FeedVariant } from '../services/feed-bundle.ts'
import { BoundedCache, CACHE_BOUNDS } from '../domain/bounded-cache.ts'

/**
 * Picks the content coding for a request from the codings available (RFC 9110 §12.5.3): the highest
 * q-value wins, `q=0` forbids, a malformed weight drops its member, `*` covers codings not named; ties prefer the smaller (br, gzip,
 * identity). Identity is the answer when nothing else fits.
 */
export function chooseEncoding(header: string | undefined, available: readonly Encoding[]): Encoding {
  if (!header) return 'identity'
  const q = new Map<string, number>()
  for (const { value, q: weight } of parseWeightedList(header))
    q.set(value === 'x-gzip' ? 'gzip' : value, weight)
  const star = q.get('*')
  const weight = (coding: Encoding): number => {
    const explicit = q.get(coding)
    if (explicit !== undefined) return explicit
    if (star !== undefined) return star
    return coding === 'identity' ? 0.001 : 0
  }
  let best: Encoding = 'identity'
  let bestWeight = 0
  for (const coding of available) {
    const w = weight(coding)
    if (w > bestWeight) {
      best = coding
      bestWeight = w
    }
  }
  return best
}

/**
 * The client's Accept-Encoding. Cloudflare rewrites the header to `br, gzip` before a Worker sees
 * it and keeps the client's own value in `request.cf.clientAcceptEncoding`; negotiating on that picks
 * the variant the client can read instead of leaving the edge to transcode it.
 */
export function clientAcceptEncoding(request: Request): string | undefined {
  const original = (request as { cf?: { clientAcceptEncoding?: unknown } }).cf?.clientAcceptEncoding
  return typeof original === 'string' ? original : (request.headers.get('accept-encoding') ?? undefined)
}

/**
 * The bodies handed out are already content-coded. Without `encodeBody: 'manual'` workerd compresses
 * them again (gzip inside gzip on the wire); Node's Response ignores the option.
 */
export const PRECOMPRESSED = { encodeBody: 'manual' } as ResponseInit

// Per set of variants (a feed bundle, a page): which variant each Accept-Encoding value gets, kept
// with the set (it goes when the set does). Clients send few distinct values; the bound keeps a
// client that varies it from growing the map.
const variantChoices = new WeakMap<object, BoundedCache<string, FeedVariant>>()

/** The variant a request's Accept-Encoding asks for (identity without one), worked out once per value. */
export function variantFor(
  owner: { variants: FeedBundle['variants'] },
  acceptEncoding: string | undefined,
): FeedVariant {
  const { variants } = owner
  if (!acceptEncoding) return variants.identity
  let choices = variantChoices.get(owner)
  if (!choices) variantChoices.set(owner, (choices = new BoundedCache(CACHE_BOUNDS.variantChoices)))
  let variant = choices.get(acceptEncoding)
  if (!variant) {
    const available = ENCODINGS.filter((e) => variants[e] !== undefined)
    variant = variants[chooseEncoding(acceptEncoding, available)] ?? variants.identity
    choices.set(acceptEncoding, variant)
  }
  return variant
}
