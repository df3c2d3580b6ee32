import type { Bytes, ObjectMeta, ObjectStore, StoredObject } from '../../src/ports/object-store.ts'
import { StorageUnavailableError } from '../../src/ports/object-store.ts'

/** An in-memory ObjectStore for unit tests of HTTP behaviour; `down` simulates an outage. */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, StoredObject>()
  down = false
  #version = 0
  requests = 0

  async get(key: string): Promise<StoredObject | null> {
    this.#touch()
    return this.objects.get(key) ?? null
  }

  async getIfChanged(key: string, etag: string): Promise<StoredObject | null | 'unchanged'> {
    const found = await this.get(key)
    return found && found.etag === etag ? 'unchanged' : found
  }

  async put(key: string, body: Bytes, meta: ObjectMeta): Promise<{ etag: string }> {
    this.#touch()
    const etag = `"${++this.#version}-${body.byteLength}"`
    this.objects.set(key, { body, contentType: meta.contentType, metadata: meta.metadata ?? {}, etag })
    return { etag }
  }

  async list(prefix: string, options: { startAfter?: string } = {}): Promise<string[]> {
    this.#touch()
    const after = options.startAfter ?? ''
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort()
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.#touch()
    for (const key of keys) this.objects.delete(key)
  }

  async ping(): Promise<void> {
    this.#touch()
  }

  #touch() {
    this.requests++
    if (this.down) throw new StorageUnavailableError('memory store is down')
  }
}

/** `store` with some of its methods replaced (a fault, a delay, a count), the rest passed through. */
export function overriding(store: ObjectStore, overrides: Partial<ObjectStore>): ObjectStore {
  return {
    get: (key) => store.get(key),
    getIfChanged: (key, etag) => store.getIfChanged(key, etag),
    put: (key, body, meta, condition) => store.put(key, body, meta, condition),
    list: (prefix, options) => store.list(prefix, options),
    delete: (keys) => store.delete(keys),
    ping: () => store.ping(),
    ...overrides,
  }
}
