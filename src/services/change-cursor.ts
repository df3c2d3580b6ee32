import { isLocale, type Locale } from '../domain/locale.ts'

/**
 * Where a reader of `/{locale}/changes` stands in the change log: every entry written before `from`
 * has been delivered (or is taken to be lost, see change-feed.ts), and so have the entries at or
 * after it named in `seen` (by write time and a fingerprint of their key).
 */
export interface CursorState {
  locale: Locale
  from: number
  seen: readonly { time: number; tag: string }[]
  /** Embargoed versions the reader passed in the log, to announce as `released` at their time. */
  releases?: readonly PendingRelease[]
}

/** A story version under embargo until `until` (ms), met in the log before it was public. */
export interface PendingRelease {
  id: string
  until: number
  version: string
}

/** Why a cursor was refused: not one of ours (malformed, altered, other server) or another locale's. */
export type CursorProblem = 'malformed' | 'foreign' | 'locale'

const VERSION = 1
const MAC_BYTES = 16
const LABEL = 'silkfeed change cursor v1'
const encoder = new TextEncoder()

/**
 * The opaque cursor: base64url of the position, a dot, and a truncated HMAC-SHA256 of it. The key is
 * derived from the webhook secrets (several during a rotation: any of them verifies), so cursors
 * survive restarts and redeploys and no client can forge or alter one. With no secret configured
 * the key is derived from a fixed label: cursors then still carry a version tag and checksum.
 */
export class CursorCodec {
  readonly #keys: Promise<CryptoKey[]>

  constructor(secrets: readonly string[]) {
    this.#keys = Promise.all((secrets.length > 0 ? secrets : ['']).map(deriveKey))
  }

  /** The cursor of a position. */
  async encode(state: CursorState): Promise<string> {
    const body = {
      v: VERSION,
      l: state.locale,
      f: state.from,
      // Relative to `from` and in base 36: a cursor stays short under a burst of entries.
      s: state.seen.map(({ time, tag }) => `${(time - state.from).toString(36)}.${tag}`),
      ...(state.releases?.length && { r: state.releases.map((r) => [r.id, r.until, r.version]) }),
    }
    const payload = toBase64Url(encoder.encode(JSON.stringify(body)))
    const [key] = await this.#keys
    return `${payload}.${toBase64Url(await mac(key!, payload))}`
  }

  /** The position a cursor names for `locale`, or why it cannot be used. */
  async decode(cursor: string, locale: Locale): Promise<CursorState | CursorProblem> {
    const dot = cursor.indexOf('.')
    if (dot <= 0 || cursor.length > 16_384) return 'malformed'
    const payload = cursor.slice(0, dot)
    const given = fromBase64Url(cursor.slice(dot + 1))
    if (!given || given.byteLength !== MAC_BYTES) return 'malformed'
    let verified = false
    for (const key of await this.#keys) verified = equalBytes(await mac(key, payload), given) || verified
    if (!verified) return 'foreign'
    const bytes = fromBase64Url(payload)
    const state = bytes ? parseState(new TextDecoder().decode(bytes)) : undefined
    if (!state) return 'malformed'
    return state.locale === locale ? state : 'locale'
  }
}

function parseState(json: string): CursorState | undefined {
  try {
    const body = JSON.parse(json) as { v?: unknown; l?: unknown; f?: unknown; s?: unknown; r?: unknown }
    if (body.v !== VERSION || typeof body.l !== 'string' || !isLocale(body.l)) return undefined
    if (typeof body.f !== 'number' || !Number.isSafeInteger(body.f) || !Array.isArray(body.s))
      return undefined
    const from = body.f
    const seen = body.s.map((entry: unknown) => {
      const [offset, tag] = typeof entry === 'string' ? entry.split('.') : []
      if (!offset || !tag) throw new Error('bad seen entry')
      return { time: from + parseInt(offset, 36), tag }
    })
    const releases = body.r === undefined ? [] : parseReleases(body.r)
    return { locale: body.l, from, seen, ...(releases.length > 0 && { releases }) }
  } catch {
    return undefined
  }
}

/** The pending releases of a cursor (`[id, until, version]` each); throws on anything else. */
function parseReleases(raw: unknown): PendingRelease[] {
  if (!Array.isArray(raw)) throw new Error('bad releases')
  return raw.map((entry: unknown) => {
    const [id, until, version] = Array.isArray(entry) ? (entry as unknown[]) : []
    if (typeof id !== 'string' || typeof version !== 'string' || !Number.isSafeInteger(until))
      throw new Error('bad release entry')
    return { id, until: until as number, version }
  })
}

async function deriveKey(secret: string): Promise<CryptoKey> {
  const outer = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret || LABEL),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const derived = await crypto.subtle.sign('HMAC', outer, encoder.encode(LABEL))
  return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
}

async function mac(key: CryptoKey, payload: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(payload))).subarray(0, MAC_BYTES)
}

/** Compared in full whatever differs, so the answer's timing tells nothing of the MAC. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.byteLength ^ b.byteLength
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ (b[i] ?? 0)
  return diff === 0
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
    return Uint8Array.from(binary, (c) => c.charCodeAt(0))
  } catch {
    return undefined
  }
}
