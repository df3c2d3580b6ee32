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
  /** Per secret, the key that seals a cursor's pending releases (see `sealReleases`). */
  readonly #seals: Promise<Seal[]>

  constructor(secrets: readonly string[]) {
    const all = secrets.length > 0 ? secrets : ['']
    this.#keys = Promise.all(all.map(deriveKey))
    this.#seals = Promise.all(all.map(deriveSeal))
  }

  /** The cursor of a position. */
  async encode(state: CursorState): Promise<string> {
    const body = {
      v: VERSION,
      l: state.locale,
      f: state.from,
      // Relative to `from` and in base 36: a cursor stays short under a burst of entries.
      s: state.seen.map(({ time, tag }) => `${(time - state.from).toString(36)}.${tag}`),
      // Sealed: the reader holding the cursor may be no reader of embargoed stories (the public).
      ...(state.releases?.length && { x: await sealReleases((await this.#seals)[0]!, state.releases) }),
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
    let verified = -1
    for (const [i, key] of (await this.#keys).entries())
      if (equalBytes(await mac(key, payload), given) && verified < 0) verified = i
    if (verified < 0) return 'foreign'
    const bytes = fromBase64Url(payload)
    const seal = (await this.#seals)[verified]!
    const state = bytes ? await parseState(new TextDecoder().decode(bytes), seal) : undefined
    if (!state) return 'malformed'
    return state.locale === locale ? state : 'locale'
  }
}

async function parseState(json: string, seal: Seal): Promise<CursorState | undefined> {
  try {
    const body = JSON.parse(json) as {
      v?: unknown
      l?: unknown
      f?: unknown
      s?: unknown
      r?: unknown
      x?: unknown
    }
    if (body.v !== VERSION || typeof body.l !== 'string' || !isLocale(body.l)) return undefined
    if (typeof body.f !== 'number' || !Number.isSafeInteger(body.f) || !Array.isArray(body.s))
      return undefined
    const from = body.f
    const seen = body.s.map((entry: unknown) => {
      const [offset, tag] = typeof entry === 'string' ? entry.split('.') : []
      if (!offset || !tag) throw new Error('bad seen entry')
      return { time: from + parseInt(offset, 36), tag }
    })
    // `r`: the releases in the clear, as cursors carried them before they were sealed (`x`).
    const raw = typeof body.x === 'string' ? await openReleases(seal, body.x) : body.r
    const releases = raw === undefined ? [] : parseReleases(raw)
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

const SEAL_LABEL = `${LABEL} releases`
const IV_BYTES = 12

/** The keys that seal a cursor's pending releases: AES-GCM, and a MAC key for its synthetic IV. */
interface Seal {
  aes: CryptoKey
  iv: CryptoKey
}

/**
 * A cursor's pending releases, encrypted (AES-GCM) so that the reader cannot read which story is
 * held nor until when. The IV is a MAC of the releases (a synthetic IV): the same releases seal to
 * the same text, so a cursor stays a function of its position.
 */
async function sealReleases(seal: Seal, releases: readonly PendingRelease[]): Promise<string> {
  const plain = encoder.encode(JSON.stringify(releases.map((r) => [r.id, r.until, r.version])))
  const iv = new Uint8Array(await crypto.subtle.sign('HMAC', seal.iv, plain)).slice(0, IV_BYTES)
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, seal.aes, plain))
  const out = new Uint8Array(IV_BYTES + sealed.byteLength)
  out.set(iv, 0)
  out.set(sealed, IV_BYTES)
  return toBase64Url(out)
}

/** The releases a sealed text holds; throws when it does not open under the key. */
async function openReleases(seal: Seal, text: string): Promise<unknown> {
  const bytes = fromBase64Url(text)
  if (!bytes || bytes.byteLength <= IV_BYTES) throw new Error('bad sealed releases')
  const iv = bytes.slice(0, IV_BYTES)
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, seal.aes, bytes.slice(IV_BYTES))
  return JSON.parse(new TextDecoder().decode(plain))
}

async function deriveSeal(secret: string): Promise<Seal> {
  return {
    aes: await derive(secret, SEAL_LABEL, { name: 'AES-GCM' }, ['encrypt', 'decrypt']),
    iv: await derive(secret, `${SEAL_LABEL} iv`, { name: 'HMAC', hash: 'SHA-256' }, ['sign']),
  }
}

function deriveKey(secret: string): Promise<CryptoKey> {
  return derive(secret, LABEL, { name: 'HMAC', hash: 'SHA-256' }, ['sign'])
}

/** A key for one use, derived from a secret and a label (HMAC-SHA256 of the label under the secret). */
async function derive(
  secret: string,
  label: string,
  algorithm: AlgorithmIdentifier | HmacImportParams,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  const outer = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret || LABEL),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const derived = await crypto.subtle.sign('HMAC', outer, encoder.encode(label))
  return crypto.subtle.importKey('raw', derived, algorithm, false, usages)
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
