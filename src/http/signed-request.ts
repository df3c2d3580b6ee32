import type { Context } from 'hono'
import type { AppEnv } from './context.ts'
import { AppError } from './errors.ts'
import {
  checkSignatureHeader,
  verifyBodySignature,
  type HmacKeys,
  type PlausibleSignature,
  type SignatureFailure,
} from './signature.ts'

/** How a signed request (the webhook, the admin API) is checked and its body read. */
export interface SignedRequestRules {
  secrets: readonly string[]
  now: () => number
  /** The largest body: a larger one is a 413, as soon as it is declared or has grown past it. */
  maxBytes: number
  /** How long a body may take to arrive once its headers have; then 408. */
  bodyTimeoutMs: number
  /** The 401 for a signature that is refused. */
  refuse: (reason: SignatureFailure) => AppError
  /** The app's imported keys of the secrets. */
  keys?: HmacKeys
}

/**
 * The 401 of a refused Silkfeed-Signature, with the challenge every 401 carries (RFC 9110 §15.5.2):
 * the scheme the request must be signed with, and the realm whose secrets sign it (`webhook` for
 * WEBHOOK_SECRETS, `admin` for ADMIN_SECRETS).
 */
export function refusedSignature(
  code: 'BAD_SIGNATURE' | 'ADMIN_BAD_SIGNATURE',
  reason: SignatureFailure | 'adminUnconfigured',
  realm: 'webhook' | 'admin',
): AppError {
  const challenge = { 'www-authenticate': `Silkfeed-Signature realm="${realm}"` }
  return new AppError(code, { reason: `signatureReasons.${reason}` }, [], challenge, ['reason'])
}

/** What the headers of a signed request said, once they passed. */
export interface SignedHeaders {
  plausible: PlausibleSignature
  /** The declared Content-Length (NaN when the body is chunked). */
  declared: number
}

/**
 * Judges a signed request from its headers alone, before a byte of its body is read: the signature
 * present, well-formed and within its window (401), the declared size within the limit (413). A
 * request that cannot be right costs no memory and no wait for its sender.
 */
export function checkSignedHeaders(c: Context<AppEnv>, rules: SignedRequestRules): SignedHeaders {
  const plausible = checkSignatureHeader(
    c.req.header('silkfeed-signature'),
    rules.secrets,
    rules.now() / 1000,
  )
  if (typeof plausible === 'string') throw rules.refuse(plausible)
  const length = c.req.header('content-length')
  const declared = length === undefined ? NaN : Number(length)
  if (declared > rules.maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', { limit: rules.maxBytes })
  return { plausible, declared }
}

/** Bodies being read at once: `take` throws when none is free; `release` gives one back. */
export interface BodySlots {
  take(): void
  release(): void
}

/**
 * Reads the body of a request whose headers passed, with the cut-offs of `readBody`, holding one of
 * `slots` while it arrives (not while its signature is checked), and verifies its signature over
 * `signed(body)` (the body itself by default). The verified body, or the error.
 */
export async function readSignedBody(
  c: Context<AppEnv>,
  { plausible, declared }: SignedHeaders,
  rules: SignedRequestRules,
  signed: (body: Uint8Array) => Uint8Array = (body) => body,
  slots?: BodySlots,
): Promise<Uint8Array<ArrayBuffer>> {
  slots?.take()
  let body: Uint8Array<ArrayBuffer>
  try {
    body = await readBody(c.req.raw, rules.maxBytes, rules.bodyTimeoutMs)
  } finally {
    slots?.release()
  }
  if (declared > body.byteLength) throw new AppError('CLIENT_CLOSED')
  const failure = await verifyBodySignature(plausible, signed(body), rules.secrets, rules.keys)
  if (failure) throw rules.refuse(failure)
  return body
}

/**
 * Reads a request body: 413 as soon as it grows past the limit, 408 when it has not all arrived
 * within `timeoutMs`, and CLIENT_CLOSED (499) when the client went away before sending it all.
 */
async function readBody(
  request: Request,
  limit: number,
  timeoutMs: number,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!request.body) return new Uint8Array()
  const reader = request.body.getReader()
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AppError('REQUEST_TIMEOUT', { seconds: Math.ceil(timeoutMs / 1000) })),
      timeoutMs,
    )
  })
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>
      try {
        next = await Promise.race([reader.read(), expired])
      } catch (error) {
        // Only the client's side can break a request body: a reset or a hang-up mid-body.
        throw error instanceof AppError ? error : new AppError('CLIENT_CLOSED')
      }
      if (next.done) break
      size += next.value.byteLength
      if (size > limit) throw new AppError('PAYLOAD_TOO_LARGE', { limit })
      chunks.push(next.value)
    }
  } catch (error) {
    reader.cancel().catch(() => undefined)
    throw error
  } finally {
    clearTimeout(timer)
  }
  const body = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}
