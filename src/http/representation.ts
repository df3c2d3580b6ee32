import { formatHttpDate } from '../render/dates.ts'
import type { FeedBundle, FeedVariant } from '../services/feed-bundle.ts'
import type { Bytes } from '../ports/object-store.ts'
import { PRECOMPRESSED, variantFor } from './accept-encoding.ts'
import { isNotModified } from './conditional-get.ts'

/** The Vary of a representation whose language is in its path or `?lang=`: content coding only. */
export const VARY_FIXED = 'Accept-Encoding'

/**
 * A stored representation (a feed, a page, an OPML list, and whatever is stored the same way
 * later): bytes in several content codings, rendered once, and the headers all of them carry.
 */
export interface Representation {
  variants: FeedBundle['variants']
  lastModified: number
  /** Headers of every 200 besides ETag, Last-Modified and Content-Encoding. */
  headers: Readonly<Record<string, string>>
}

/** What of a request the answer depends on. */
export interface RepresentationRequest {
  method: string
  acceptEncoding: string | undefined
  ifNoneMatch: string | undefined
  ifModifiedSince: string | undefined
  requestId: string
}

/** A response as plain data: what a Response is made of, or what Node writes directly. */
export interface Answer {
  status: 200 | 304
  /**
   * The headers as Node's `writeHead` takes them, flat (`[name, value, name, value, …]`), the
   * request's own (`x-request-id`, `age`) among them and `content-length` with a body. Made for this
   * request (the caller may add to them).
   */
  rawHeaders: string[]
  /** The pre-encoded bytes; null for a 304 and for HEAD. */
  body: Bytes | null
  /** Body bytes sent, for the request log. */
  bytes: number
}

/**
 * The headers a 304 repeats (RFC 9110 §15.4.5): what a cache needs to update its copy, and the CORS
 * headers a browser needs to read it. Never Content-Type, Content-Encoding, Content-Length or any
 * other header describing a body the 304 does not send.
 */
const NOT_MODIFIED_HEADERS = new Set([
  'etag',
  'cache-control',
  'expires',
  'vary',
  'content-location',
  'last-modified',
  'access-control-allow-origin',
  'access-control-expose-headers',
])

/**
 * One variant of one representation, with the header blocks of its three answers (200 to GET, 200
 * to HEAD, 304) built once, flat, each ending with the request id's name and an empty slot for its
 * value: a request copies one block and fills the slot instead of building a header object.
 */
interface Prepared {
  variant: FeedVariant
  lastModifiedText: string
  get: readonly string[]
  head: readonly string[]
  notModified: readonly string[]
}

const preparedOf = new WeakMap<Representation, Map<FeedVariant, Prepared>>()

function prepare(representation: Representation, variant: FeedVariant): Prepared {
  let byVariant = preparedOf.get(representation)
  if (!byVariant) preparedOf.set(representation, (byVariant = new Map<FeedVariant, Prepared>()))
  let prepared = byVariant.get(variant)
  if (!prepared) {
    const lastModifiedText = formatHttpDate(representation.lastModified)
    const ok: [string, string][] = [
      ...Object.entries(representation.headers),
      ['etag', variant.etag],
      ['last-modified', lastModifiedText],
    ]
    if (variant.encoding !== 'identity') ok.push(['content-encoding', variant.encoding])
    const head = ok.flat()
    const notModified = ok.filter(([name]) => NOT_MODIFIED_HEADERS.has(name)).flat()
    prepared = {
      variant,
      lastModifiedText,
      // As the fetch adapter does: a body goes with its Content-Length, not chunked.
      get: [...head, 'content-length', String(variant.body.byteLength), 'x-request-id', ''],
      head: [...head, 'x-request-id', ''],
      notModified: [...notModified, 'x-request-id', ''],
    }
    byVariant.set(variant, prepared)
  }
  return prepared
}

/**
 * The answer to a GET or HEAD of a representation at hand: the variant the client accepts, 304 when
 * its copy is current (with the cache headers only), no body for HEAD, `Age` when the copy could not
 * be confirmed current. Every stored representation is answered here, on every path.
 */
export function answerRepresentation(
  representation: Representation,
  request: RepresentationRequest,
  now: number,
  ageSeconds?: number,
): Answer {
  const variant = variantFor(representation, request.acceptEncoding)
  const prepared = prepare(representation, variant)
  const current = {
    etag: variant.etag,
    lastModified: representation.lastModified,
    lastModifiedText: prepared.lastModifiedText,
  }
  const notModified = isNotModified(request, current, now)
  const head = request.method === 'HEAD'
  const block = notModified ? prepared.notModified : head ? prepared.head : prepared.get
  // A copy of the block (the one cost every answer pays), its last slot the request id.
  const rawHeaders = block.slice()
  rawHeaders[rawHeaders.length - 1] = request.requestId
  if (ageSeconds !== undefined) rawHeaders.push('age', String(ageSeconds))
  if (notModified) return { status: 304, rawHeaders, body: null, bytes: 0 }
  return {
    status: 200,
    rawHeaders,
    body: head ? null : variant.body,
    bytes: head ? 0 : variant.body.byteLength,
  }
}

/**
 * An answer's headers for a fetch Response: all but Content-Length, which the runtime derives from
 * the body it sends (as it always has on this path).
 */
function headersOf(rawHeaders: readonly string[]): Headers {
  const headers = new Headers()
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!
    if (name !== 'content-length') headers.set(name, rawHeaders[i + 1]!)
  }
  return headers
}

/** An answer as a fetch Response (its body already content-coded). */
export function answerResponse({ status, rawHeaders, body }: Answer): Response {
  return new Response(body, { status, headers: headersOf(rawHeaders), ...PRECOMPRESSED })
}
