import { formatHttpDate } from '../render/dates.ts'
import type { FeedBundle, FeedVariant } from '../services/feed-bundle.ts'
import type { Bytes } from '../ports/object-store.ts'
import { PRECOMPRESSED, variantFor } from './accept-encoding.ts'
import { isNotModified } from './conditional-get.ts'

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
  /** Made for this request (the caller may add to them). */
  headers: Record<string, string>
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

/** One variant of one representation, with both sets of headers built once. */
interface Prepared {
  variant: FeedVariant
  ok: Record<string, string>
  notModified: Record<string, string>
  lastModifiedText: string
}

const preparedOf = new WeakMap<Representation, Map<FeedVariant, Prepared>>()

function prepare(representation: Representation, variant: FeedVariant): Prepared {
  let byVariant = preparedOf.get(representation)
  if (!byVariant) preparedOf.set(representation, (byVariant = new Map<FeedVariant, Prepared>()))
  let prepared = byVariant.get(variant)
  if (!prepared) {
    const lastModifiedText = formatHttpDate(representation.lastModified)
    const ok: Record<string, string> = {
      ...representation.headers,
      etag: variant.etag,
      'last-modified': lastModifiedText,
    }
    if (variant.encoding !== 'identity') ok['content-encoding'] = variant.encoding
    const notModified: Record<string, string> = {}
    for (const [name, value] of Object.entries(ok))
      if (NOT_MODIFIED_HEADERS.has(name)) notModified[name] = value
    byVariant.set(variant, (prepared = { variant, ok, notModified, lastModifiedText }))
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
  // Object.assign, not a spread: the copy made per request is the one cost every answer pays.
  const headers = Object.assign({}, notModified ? prepared.notModified : prepared.ok)
  headers['x-request-id'] = request.requestId
  if (ageSeconds !== undefined) headers.age = String(ageSeconds)
  if (notModified) return { status: 304, headers, body: null, bytes: 0 }
  const head = request.method === 'HEAD'
  return { status: 200, headers, body: head ? null : variant.body, bytes: head ? 0 : variant.body.byteLength }
}

/** An answer as a fetch Response (its body already content-coded). */
export function answerResponse({ status, headers, body }: Answer): Response {
  return new Response(body, { status, headers, ...PRECOMPRESSED })
}
