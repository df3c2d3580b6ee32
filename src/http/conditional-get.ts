import { parseHttpDate } from './http-date.ts'

/** Does an If-None-Match header match the ETag? Compared weakly: `W/"x"` matches `"x"`, `*` matches all. */
function ifNoneMatchMatches(header: string, etag: string): boolean {
  if (header === etag) return true // what a client that stored our ETag sends back, nearly always
  const ours = opaque(etag)
  return header.split(',').some((candidate) => {
    const tag = candidate.trim()
    return tag === '*' || opaque(tag) === ours
  })
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}

/**
 * Is the client's copy current? If-None-Match wins when present (RFC 9110 §13.2.2); otherwise
 * If-Modified-Since, when it is a valid HTTP-date (anything else is ignored, §13.1.3), is compared
 * at the one-second precision of HTTP dates. `lastModifiedText` is the Last-Modified we send, which
 * is what a client that stored it sends back.
 */
export function isNotModified(
  request: { ifNoneMatch?: string | undefined; ifModifiedSince?: string | undefined },
  current: { etag: string; lastModified: number; lastModifiedText: string },
  now: number,
): boolean {
  if (request.ifNoneMatch !== undefined) return ifNoneMatchMatches(request.ifNoneMatch, current.etag)
  if (request.ifModifiedSince === undefined) return false
  if (request.ifModifiedSince === current.lastModifiedText) return true
  const since = parseHttpDate(request.ifModifiedSince, now)
  return since !== undefined && Math.floor(current.lastModified / 1000) * 1000 <= since
}
