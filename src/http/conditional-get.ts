/** Does an If-None-Match header match the ETag? Compared weakly: `W/"x"` matches `"x"`, `*` matches all. */
export function ifNoneMatchMatches(header: string, etag: string): boolean {
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
 * If-Modified-Since is compared as a date, at the one-second precision of HTTP dates.
 */
export function isNotModified(
  request: { ifNoneMatch?: string; ifModifiedSince?: string },
  current: { etag: string; lastModified: number },
): boolean {
  if (request.ifNoneMatch !== undefined) return ifNoneMatchMatches(request.ifNoneMatch, current.etag)
  if (request.ifModifiedSince !== undefined) {
    const since = Date.parse(request.ifModifiedSince)
    if (Number.isNaN(since)) return false
    return Math.floor(current.lastModified / 1000) * 1000 <= since
  }
  return false
}
