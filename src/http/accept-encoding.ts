import type { Encoding } from '../services/feed-bundle.ts'

/**
 * Picks the content coding for a request from the codings available (RFC 9110 §12.5.3): the highest
 * q-value wins, `q=0` forbids, `*` covers codings not named; ties prefer the smaller (br, gzip,
 * identity). Identity is the answer when nothing else fits.
 */
export function chooseEncoding(header: string | undefined, available: readonly Encoding[]): Encoding {
  if (!header) return 'identity'
  const q = new Map<string, number>()
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().split(';')
    const coding = name.trim().toLowerCase()
    if (!coding) continue
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='))
    const value = qParam ? Number(qParam.slice(2)) : 1
    q.set(coding === 'x-gzip' ? 'gzip' : coding, Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0)
  }
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
