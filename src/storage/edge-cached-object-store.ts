import {
  PreconditionFailedError,
  type Bytes,
  type ObjectMeta,
  type ObjectStore,
  type PutCondition,
  type StoredObject,
} from '../ports/object-store.ts'

/** The slice of the Workers Cache API (`caches.default`) this tier uses. */
export interface EdgeCache {
  match(request: string): Promise<Response | undefined>
  put(request: string, response: Response): Promise<void>
  delete(request: string): Promise<boolean>
}

const META_HEADER = 'x-silkfeed-meta'
const ETAG_HEADER = 'x-silkfeed-store-etag'
// Cache API keys must be http(s) URLs; this host is never fetched, only used as a key.
const KEY_BASE = 'https://silkfeed-edge-cache.invalid/'

/**
 * A storage tier shared by every isolate in a Cloudflare data centre: reads of objects under
 * `prefixes` (the rendered feeds) are answered from the Workers Cache API for `ttlSeconds`, so a
 * hot feed costs one storage read per data centre per TTL rather than one per isolate. Writes go to
 * storage first and then replace the cached copy, so this data centre sees a republish at once;
 * others see it within the TTL. Everything else passes straight through.
 */
export class EdgeCachedObjectStore implements ObjectStore {
  constructor(
    private readonly inner: ObjectStore,
    private readonly cache: EdgeCache,
    private readonly options: {
      ttlSeconds: number
      prefixes: readonly string[]
      /**
       * Which store the cached copies come from (endpoint and bucket). `caches.default` is shared by
       * every Worker of a zone: without it, a staging Worker could serve production's feeds.
       */
      namespace?: string
    },
  ) {
    this.#base = `${KEY_BASE}${encodeURIComponent(options.namespace ?? '')}/`
  }

  readonly #base: string

  #cacheable(key: string): boolean {
    return this.options.prefixes.some((p) => key.startsWith(p))
  }

  async #cached(key: string): Promise<StoredObject | null> {
    try {
      const response = await this.cache.match(this.#base + key)
      if (!response) return null
      const etag = response.headers.get(ETAG_HEADER)
      if (!etag) return null
      return {
        body: new Uint8Array(await response.arrayBuffer()),
        contentType: response.headers.get('content-type') ?? 'application/octet-stream',
        metadata: JSON.parse(response.headers.get(META_HEADER) ?? '{}') as Record<string, string>,
        etag,
      }
    } catch {
      return null // the cache is an optimisation: when it fails, storage answers
    }
  }

  async #remember(key: string, object: StoredObject): Promise<void> {
    const response = new Response(object.body, {
      headers: {
        'content-type': object.contentType,
        'cache-control': `public, max-age=${this.options.ttlSeconds}`,
        [ETAG_HEADER]: object.etag,
        [META_HEADER]: JSON.stringify(object.metadata),
      },
    })
    await this.cache.put(this.#base + key, response).catch(() => undefined)
  }

  async get(key: string): Promise<StoredObject | null> {
    if (!this.#cacheable(key)) return this.inner.get(key)
    const cached = await this.#cached(key)
    if (cached) return cached
    const found = await this.inner.get(key)
    if (found) await this.#remember(key, found)
    return found
  }

  async getIfChanged(key: string, etag: string): Promise<StoredObject | null | 'unchanged'> {
    if (!this.#cacheable(key)) return this.inner.getIfChanged(key, etag)
    const cached = await this.#cached(key)
    if (cached) return cached.etag === etag ? 'unchanged' : cached
    const found = await this.inner.getIfChanged(key, etag)
    if (found && found !== 'unchanged') await this.#remember(key, found)
    return found
  }

  async put(key: string, body: Bytes, meta: ObjectMeta, condition?: PutCondition): Promise<{ etag: string }> {
    const result = await this.inner.put(key, body, meta, condition).catch(async (error: unknown) => {
      // Refused because storage holds a newer version than the writer saw: this copy may be older still.
      if (error instanceof PreconditionFailedError && this.#cacheable(key)) {
        await this.cache.delete(this.#base + key).catch(() => false)
      }
      throw error
    })
    if (this.#cacheable(key)) {
      await this.#remember(key, {
        body,
        contentType: meta.contentType,
        metadata: meta.metadata ?? {},
        etag: result.etag,
      })
    }
    return result
  }

  list(prefix: string, options?: { startAfter?: string }): Promise<string[]> {
    return this.inner.list(prefix, options)
  }

  async delete(keys: readonly string[]): Promise<void> {
    await this.inner.delete(keys)
    await Promise.all(
      keys.filter((k) => this.#cacheable(k)).map((k) => this.cache.delete(this.#base + k).catch(() => false)),
    )
  }

  ping(): Promise<void> {
    return this.inner.ping()
  }
}
