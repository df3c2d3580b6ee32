// Which of its answers to a path the bare server gives a request (bench/bare-server.mjs), and so
// which answer bench/ceiling-entry.mjs replays: the least a feed server must tell apart.

/** `head`, `notModified`, `gzip` or `identity`, from the request's method and headers as Node parsed them. */
export function wayOf(method, headers) {
  if (method === 'HEAD') return 'head'
  if (headers['if-none-match'] !== undefined) return 'notModified'
  return (headers['accept-encoding'] ?? '').includes('gzip') ? 'gzip' : 'identity'
}
