import type { BoundedCache } from '../domain/bounded-cache.ts'

/** Why a Silkfeed-Signature was refused; each has a localized explanation in problems.json. */
export type SignatureFailure = 'missing' | 'malformed' | 'stale' | 'mismatch' | 'unconfigured'

/** How far `t` may be from the server's clock, either way. */
const SIGNATURE_TOLERANCE_SECONDS = 300

const encoder = new TextEncoder()

/**
 * Imported HMAC keys by secret, so a verification does not import its key again: the app owns one
 * (see `AppCaches`), keyed by the configured secrets. Without one, each key is imported when used.
 */
export type HmacKeys = BoundedCache<string, Promise<CryptoKey>>

function importKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ])
}

function hmacKey(secret: string, keys: HmacKeys | undefined): Promise<CryptoKey> {
  return keys ? keys.getOrCreate(secret, importKey) : importKey(secret)
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return null
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

/** The message that is signed: `<t>.<raw body>` as bytes. */
function signedMessage(t: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${t}.`)
  const message = new Uint8Array(prefix.byteLength + body.byteLength)
  message.set(prefix, 0)
  message.set(body, prefix.byteLength)
  return message
}

/** A Silkfeed-Signature header that is present, well-formed and inside the time window. */
export interface PlausibleSignature {
  t: string
  signatures: Uint8Array<ArrayBuffer>[]
}

/**
 * Checks what can be checked of a signature without the body: present, well-formed, `t` within the
 * window. Lets a signed request (webhook, admin API) be refused before its body is read (and held).
 */
export function checkSignatureHeader(
  header: string | undefined,
  secrets: readonly string[],
  nowSeconds: number,
): PlausibleSignature | SignatureFailure {
  if (secrets.length === 0) return 'unconfigured'
  if (!header || header.trim() === '') return 'missing'
  let t: string | undefined
  const signatures: Uint8Array<ArrayBuffer>[] = []
  for (const part of header.split(',')) {
    const eq = part.indexOf('=')
    if (eq < 0) return 'malformed'
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (name === 't') t = value
    else if (name === 'v1') {
      const bytes = hexToBytes(value)
      if (!bytes) return 'malformed'
      signatures.push(bytes)
    }
  }
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) return 'malformed'
  if (Math.abs(nowSeconds - Number(t)) > SIGNATURE_TOLERANCE_SECONDS) return 'stale'
  return { t, signatures }
}

/**
 * Checks a plausible signature against the body with every active secret (rotation). WebCrypto's
 * verify compares in constant time. Returns null when it holds.
 */
export async function verifyBodySignature(
  { t, signatures }: PlausibleSignature,
  body: Uint8Array,
  secrets: readonly string[],
  keys?: HmacKeys,
): Promise<'mismatch' | null> {
  const message = signedMessage(t, body)
  for (const secret of secrets) {
    const key = await hmacKey(secret, keys)
    for (const signature of signatures) {
      if (await crypto.subtle.verify('HMAC', key, signature, message)) return null
    }
  }
  return 'mismatch'
}

/** Signs a body as the CMS does: the header value for Silkfeed-Signature. */
export async function signBody(body: Uint8Array, secret: string, nowSeconds: number): Promise<string> {
  const t = String(Math.floor(nowSeconds))
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', await importKey(secret), signedMessage(t, body)),
  )
  return `t=${t},v1=${[...mac].map((b) => b.toString(16).padStart(2, '0')).join('')}`
}

/**
 * What an admin request signs in place of the body alone: its method and path, then the body, so a
 * captured signature cannot be sent again to another partner or operation. The header and its
 * checks are the webhook's.
 */
export function adminSignedBytes(method: string, path: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const line = encoder.encode(`${method.toUpperCase()} ${path}\n`)
  const bytes = new Uint8Array(line.byteLength + body.byteLength)
  bytes.set(line, 0)
  bytes.set(body, line.byteLength)
  return bytes
}
