import {
  PreconditionFailedError,
  storageUnavailable,
  type Bytes,
  type ObjectMeta,
  type ObjectStore,
  type PutCondition,
  type StoredObject,
} from '../ports/object-store.ts'

/** What R2 knows of an object; `body` is there only when it was read (not on a 304-like answer). */
interface R2Object {
  etag: string
  httpMetadata?: { contentType?: string }
  customMetadata?: Record<string, string>
  arrayBuffer?: () => Promise<ArrayBuffer>
}

/** R2's conditional operations (`onlyIf`): ETags without quotes, `*` for "any object". */
interface R2Conditional {
  etagMatches?: string
  etagDoesNotMatch?: string
}

/** The slice of a Workers R2 binding (`env.FEEDS_BUCKET`) this adapter uses. */
export interface R2Bucket {
  get(key: string, options?: { onlyIf?: R2Conditional }): Promise<R2Object | null>
  put(
    key: string,
    value: ArrayBuffer | Uint8Array,
    options?: {
      httpMetadata?: { contentType?: string }
      customMetadata?: Record<string, string>
      onlyIf?: R2Conditional
    },
  ): Promise<R2Object | null>
  head(key: string): Promise<R2Object | null>
  list(options: { prefix?: string; cursor?: string; startAfter?: string; limit?: number }): Promise<{
    objects: { key: string }[]
    truncated: boolean
    cursor?: string
  }>
  delete(keys: string | string[]): Promise<void>
}

/** Is this environment value an R2 binding (rather than a string variable or nothing)? */
export function isR2Bucket(value: unknown): value is R2Bucket {
  const bucket = value as Partial<R2Bucket> | null
  return (
    typeof bucket?.get === 'function' && typeof bucket.put === 'function' && typeof bucket.list === 'function'
  )
}

/**
 * The object-store port over a Workers R2 binding: no signing and no HTTP client in the Worker,
 * conditional writes through `onlyIf` (a refused one is a PreconditionFailedError), listings page
 * by cursor. ETags are R2's own (without quotes), opaque to callers as the port says.
 */
export class R2ObjectStore implements ObjectStore {
  constructor(private readonly bucket: R2Bucket) {}

  get(key: string): Promise<StoredObject | null> {
    return this.#get(key, undefined) as Promise<StoredObject | null>
  }

  getIfChanged(key: string, etag: string): Promise<StoredObject | null | 'unchanged'> {
    return this.#get(key, etag)
  }

  async #get(key: string, etag: string | undefined): Promise<StoredObject | null | 'unchanged'> {
    const found = await attempt('get', key, () =>
      this.bucket.get(key, etag === undefined ? undefined : { onlyIf: { etagDoesNotMatch: etag } }),
    )
    if (!found) return null
    // A condition that did not hold leaves the body out: the object is still the one we have.
    if (!found.arrayBuffer) return 'unchanged'
    const read = found.arrayBuffer.bind(found)
    return {
      body: new Uint8Array(await attempt('get', key, read)),
      contentType: found.httpMetadata?.contentType ?? 'application/octet-stream',
      metadata: found.customMetadata ?? {},
      etag: found.etag,
    }
  }

  async put(key: string, body: Bytes, meta: ObjectMeta, condition?: PutCondition): Promise<{ etag: string }> {
    const onlyIf =
      condition && ('ifMatch' in condition ? { etagMatches: condition.ifMatch } : { etagDoesNotMatch: '*' })
    const stored = await attempt('put', key, () =>
      this.bucket.put(key, body, {
        httpMetadata: { contentType: meta.contentType },
        customMetadata: meta.metadata,
        onlyIf,
      }),
    )
    if (!stored) throw new PreconditionFailedError(`storage put ${key}: precondition failed`)
    return { etag: stored.etag }
  }

  async list(prefix: string, options: { startAfter?: string } = {}): Promise<string[]> {
    const keys: string[] = []
    let cursor: string | undefined
    do {
      const page = await attempt('list', prefix, () =>
        this.bucket.list({
          prefix,
          limit: 1000,
          ...(cursor ? { cursor } : options.startAfter !== undefined && { startAfter: options.startAfter }),
        }),
      )
      for (const object of page.objects) keys.push(object.key)
      cursor = page.truncated ? page.cursor : undefined
    } while (cursor)
    return keys.sort()
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000)
      await attempt('delete', batch[0] ?? '', () => this.bucket.delete(batch))
    }
  }

  async ping(): Promise<void> {
    await attempt('ping', '', () => this.bucket.head('readyz-probe'))
  }
}

/** A binding call whose failure becomes the port's StorageUnavailableError (callers answer 503). */
async function attempt<T>(operation: string, key: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw storageUnavailable(operation, key, error)
  }
}
