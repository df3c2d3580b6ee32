/** Bytes backed by a plain ArrayBuffer (what Response, crypto.subtle and the SDK accept alike). */
export type Bytes = Uint8Array<ArrayBuffer>

/** What storage knows about an object besides its bytes. */
export interface ObjectMeta {
  contentType: string
  /** Small string values kept beside the object (S3 user metadata: ASCII only). */
  metadata?: Record<string, string>
}

export interface StoredObject {
  body: Bytes
  contentType: string
  metadata: Record<string, string>
  /** The store's own version tag for the object. */
  etag: string
}

/**
 * Why a store failed: it could not be reached in time, or failed itself ('unreachable', which passes
 * by itself); or it refused the credentials, or has no such bucket, which only a change of
 * configuration mends.
 */
export type StorageFailure = 'unreachable' | 'credentials-refused' | 'bucket-missing'

/** Raised when the store cannot be reached or fails; callers answer 503 with Retry-After. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError'
  readonly failure: StorageFailure

  constructor(message: string, options: ErrorOptions & { failure?: StorageFailure } = {}) {
    super(message, options)
    this.failure = options.failure ?? 'unreachable'
  }
}

/** The StorageUnavailableError of an adapter's failed `operation` on `key`, saying why (never a secret). */
export function storageUnavailable(
  operation: string,
  key: string,
  error: unknown,
  failure: StorageFailure = 'unreachable',
): StorageUnavailableError {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return new StorageUnavailableError(`storage ${operation} ${key} failed: ${reason}`, {
    cause: error,
    failure,
  })
}

/**
 * Raised by a conditional write the store refused (HTTP 412): the object is not what the writer
 * last saw. Stores that ignore conditions (s3rver) never raise it.
 */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError'
}

/** Write only over the version with this ETag, or only when there is no object yet. */
export type PutCondition = { ifMatch: string } | { ifNoneMatch: '*' }

/** The storage port: bytes and keys in domain words, no vendor types. */
export interface ObjectStore {
  /** The object, or null when there is none. */
  get(key: string): Promise<StoredObject | null>
  /** Revalidates a copy: 'unchanged' when the store's ETag still equals `etag`, else the object or null. */
  getIfChanged(key: string, etag: string): Promise<StoredObject | null | 'unchanged'>
  /**
   * Writes the whole object at once: readers see the old or the new bytes, never a mix. With a
   * condition, a store that supports it refuses the write (PreconditionFailedError) when it does not hold.
   */
  put(key: string, body: Bytes, meta: ObjectMeta, condition?: PutCondition): Promise<{ etag: string }>
  /** Keys under a prefix, in lexicographic order; with `startAfter`, only the keys after it. */
  list(prefix: string, options?: { startAfter?: string }): Promise<string[]>
  delete(keys: readonly string[]): Promise<void>
  /** Is the store reachable (and the bucket there)? */
  ping(): Promise<void>
}
