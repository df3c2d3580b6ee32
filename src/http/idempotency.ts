import {
  PreconditionFailedError,
  type Bytes,
  type ObjectStore,
  type PutCondition,
} from '../ports/object-store.ts'
import { KEYS } from '../services/storage-keys.ts'
import { AppError } from './errors.ts'

/**
 * How long a reservation of an Idempotency-Key holds while its request works. A reservation older
 * than this (its request crashed, or its instance died) is taken over by the next request with the
 * key, so no key stays blocked for longer.
 */
export const IDEMPOTENCY_LEASE_MS = 60_000

/** The stored record of a key: pending while its request works, then the answer it gave. */
interface IdempotencyRecord {
  bodyDigest: string
  /** When the record was written (maintenance forgets records after IDEMPOTENCY_TTL_HOURS). */
  at: string
  state?: 'pending'
  response?: object
}

export interface IdempotentOutcome<T> {
  response: T
  /** The answer of an earlier request with the same key and body, not work done now. */
  replayed: boolean
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const META = { contentType: 'application/json; charset=utf-8' }

/**
 * Runs a request's work at most once per Idempotency-Key. The key is reserved before the work:
 * in this process by an entry that later requests with the key wait on, and in storage by a
 * pending record created with `If-None-Match: *` (refused on stores that keep to conditional
 * writes when another instance created it first). A request that finds the key reserved waits for
 * the reservation to end, then replays its answer (same body) or is refused with a 409 (another
 * body); one that finds it free, or reserved longer than the lease ago, does the work.
 */
export class IdempotentRequests {
  readonly #inFlight = new Map<string, Promise<void>>()

  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => number,
    private readonly leaseMs = IDEMPOTENCY_LEASE_MS,
  ) {}

  async run<T extends object>(
    key: string | undefined,
    body: Bytes,
    work: () => Promise<T>,
  ): Promise<IdempotentOutcome<T>> {
    if (key === undefined) return { response: await work(), replayed: false }
    const recordKey = KEYS.idempotency(await sha256Hex(encoder.encode(key)))
    const bodyDigest = await sha256Hex(body)
    for (;;) {
      const running = this.#inFlight.get(recordKey)
      if (running) {
        await running
        continue
      }
      // No await between the check above and this: one request of the process holds the key.
      let release = () => {}
      this.#inFlight.set(recordKey, new Promise<void>((resolve) => (release = resolve)))
      try {
        return await this.#once(recordKey, key, bodyDigest, work)
      } finally {
        this.#inFlight.delete(recordKey)
        release()
      }
    }
  }

  /** Holding the key in this process: replays, refuses, or reserves it in storage and works. */
  async #once<T extends object>(
    recordKey: string,
    key: string,
    bodyDigest: string,
    work: () => Promise<T>,
  ): Promise<IdempotentOutcome<T>> {
    for (let pollMs = 50; ; pollMs = Math.min(pollMs * 2, 500)) {
      const stored = await this.store.get(recordKey)
      const record = stored ? parseRecord(stored.body) : undefined
      let condition: PutCondition = { ifNoneMatch: '*' }
      if (stored && record?.state !== 'pending' && record?.response) {
        if (record.bodyDigest !== bodyDigest) throw new AppError('IDEMPOTENCY_CONFLICT', { key })
        // The answer this key's first request gave, as it gave it.
        return { response: record.response as T, replayed: true }
      }
      if (stored) {
        // Another instance's request holds the key: wait for its answer, unless its lease is over.
        const age = this.now() - Date.parse(record?.at ?? '')
        if (age < this.leaseMs) {
          await sleep(pollMs)
          continue
        }
        condition = { ifMatch: stored.etag }
      }
      const reserved = await this.#write(
        recordKey,
        { state: 'pending', bodyDigest, at: this.#at() },
        condition,
      )
      if (!reserved) continue
      return { response: await this.#work(recordKey, bodyDigest, reserved, work), replayed: false }
    }
  }

  /** Does the work under a reservation, then stores its answer in place of the reservation. */
  async #work<T extends object>(
    recordKey: string,
    bodyDigest: string,
    reservation: string,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      const response = await work()
      // Refused only when the lease ran out and another request took the key over: the work done
      // here is durable all the same, so the answer stands.
      await this.#write(recordKey, { bodyDigest, at: this.#at(), response }, { ifMatch: reservation })
      return response
    } catch (error) {
      // A failed request frees its key, so that a retry (told to by the 5xx) does the work at once.
      await this.#release(recordKey, reservation)
      throw error
    }
  }

  async #release(recordKey: string, reservation: string): Promise<void> {
    try {
      const stored = await this.store.get(recordKey)
      if (stored?.etag === reservation) await this.store.delete([recordKey])
    } catch {
      // Storage is failing: the reservation lapses after the lease.
    }
  }

  /** The new record's ETag, or undefined when the store refused the condition. */
  async #write(recordKey: string, record: IdempotencyRecord, condition: PutCondition) {
    try {
      const body = encoder.encode(JSON.stringify(record))
      return (await this.store.put(recordKey, body, META, condition)).etag
    } catch (error) {
      if (error instanceof PreconditionFailedError) return undefined
      throw error
    }
  }

  #at(): string {
    return new Date(this.now()).toISOString()
  }
}

function parseRecord(body: Bytes): IdempotencyRecord | undefined {
  try {
    return JSON.parse(decoder.decode(body)) as IdempotencyRecord
  } catch {
    return undefined
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function sha256Hex(bytes: Bytes): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('')
}
