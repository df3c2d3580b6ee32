import { Worker } from 'node:worker_threads'
import type { S3Settings } from '../storage/s3-object-store.ts'
import {
  PreconditionFailedError,
  StorageUnavailableError,
  type Bytes,
  type ObjectMeta,
  type ObjectStore,
  type PutCondition,
  type StorageFailure,
  type StoredObject,
} from '../ports/object-store.ts'

/**
 * The storage port on Node, served by a worker thread of its own (`storage-thread.ts`) that runs the
 * S3 adapter and the SDK's node:http client. Why: Node's HTTP and stream code is shared by the
 * server and the SDK's client in one isolate, and once it has run through the client's objects its
 * inline caches stay megamorphic for the server's requests too: in the hot archive case of `npm run
 * bench:serve`, Silkfeed measured 0.82–0.83x of a bare node:http server that had first made 30 SDK
 * round trips, against 0.61–0.62x of an untouched one (README, Performance). In a thread of its own
 * the SDK keeps its objects to itself, and its CPU (signing, XML, checksums) runs beside the event
 * loop that answers readers rather than on it.
 *
 * One message per call, answered by id. Bytes cross as copies, never detaching a buffer the caller
 * or a cache still holds. If the thread dies, the calls in flight fail as StorageUnavailableError
 * (answered 503 with Retry-After, or served stale) and the next call starts a new thread.
 */
export class ThreadedObjectStore implements ObjectStore {
  readonly #start: () => Worker
  readonly #pending = new Map<number, Pending>()
  #thread: Worker | undefined
  #nextId = 0
  #closed = false

  /** `start` makes the thread (see `startStorageThread`); it is called again after the thread died. */
  constructor(start: () => Worker) {
    this.#start = start
  }

  get(key: string): Promise<StoredObject | null> {
    return this.#call({ op: 'get', key }) as Promise<StoredObject | null>
  }

  getIfChanged(key: string, etag: string): Promise<StoredObject | null | 'unchanged'> {
    return this.#call({ op: 'getIfChanged', key, etag }) as Promise<StoredObject | null | 'unchanged'>
  }

  put(key: string, body: Bytes, meta: ObjectMeta, condition?: PutCondition): Promise<{ etag: string }> {
    const { bytes, transfer } = copyToSend(body)
    return this.#call({ op: 'put', key, body: bytes, meta, condition }, transfer) as Promise<{ etag: string }>
  }

  list(prefix: string, options?: { startAfter?: string }): Promise<string[]> {
    return this.#call({ op: 'list', prefix, startAfter: options?.startAfter }) as Promise<string[]>
  }

  delete(keys: readonly string[]): Promise<void> {
    return this.#call({ op: 'delete', keys }) as Promise<void>
  }

  ping(): Promise<void> {
    return this.#call({ op: 'ping' }) as Promise<void>
  }

  /** Stops the thread; calls in flight and later calls fail as StorageUnavailableError. */
  async close(): Promise<void> {
    this.#closed = true
    const thread = this.#thread
    this.#thread = undefined
    this.#failAll('the storage thread was stopped')
    await thread?.terminate()
  }

  #call(request: StoreRequest, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.#closed) return Promise.reject(new StorageUnavailableError('the storage thread was stopped'))
    const thread = this.#thread ?? this.#spawn()
    const id = this.#nextId++
    // A call in flight keeps the process alive (as a socket of the SDK's would); an idle thread does not.
    if (this.#pending.size === 0) thread.ref()
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      thread.postMessage({ id, request } satisfies StoreCall, transfer)
    })
  }

  #spawn(): Worker {
    const thread = this.#start()
    thread.unref()
    thread.on('message', (reply: StoreReply) => this.#settle(reply))
    thread.on('error', (error) => this.#lost(thread, `the storage thread failed: ${error.message}`))
    thread.on('exit', (code) => this.#lost(thread, `the storage thread exited with code ${code}`))
    this.#thread = thread
    return thread
  }

  #settle(reply: StoreReply): void {
    const pending = this.#pending.get(reply.id)
    if (!pending) return
    this.#pending.delete(reply.id)
    if (this.#pending.size === 0) this.#thread?.unref()
    if ('error' in reply) pending.reject(errorFrom(reply.error))
    else pending.resolve(reply.value)
  }

  /** The thread is gone: what it had not answered fails, and the next call starts another. */
  #lost(thread: Worker, reason: string): void {
    if (this.#thread !== thread) return
    this.#thread = undefined
    this.#failAll(reason)
  }

  #failAll(reason: string): void {
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    for (const { reject } of pending) reject(new StorageUnavailableError(reason))
  }
}

interface Pending {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

/** What the main thread asks of the storage thread: one call of the port. */
export type StoreRequest =
  | { op: 'get'; key: string }
  | { op: 'getIfChanged'; key: string; etag: string }
  | { op: 'put'; key: string; body: Bytes; meta: ObjectMeta; condition: PutCondition | undefined }
  | { op: 'list'; prefix: string; startAfter: string | undefined }
  | { op: 'delete'; keys: readonly string[] }
  | { op: 'ping' }

export interface StoreCall {
  id: number
  request: StoreRequest
}

/** An error as it crosses threads: the classes the port's callers tell apart, by name. */
export interface SentError {
  name: string
  message: string
  /** A StorageUnavailableError's kind of failure. */
  failure?: StorageFailure
}

export type StoreReply = { id: number; value: unknown } | { id: number; error: SentError }

/** The port's errors again from their names; anything else (a defect) stays a plain Error. */
export function errorFrom({ name, message, failure }: SentError): Error {
  if (name === 'PreconditionFailedError') return new PreconditionFailedError(message)
  if (name === 'StorageUnavailableError') return new StorageUnavailableError(message, { failure })
  const error = new Error(message)
  error.name = name
  return error
}

/**
 * Bytes to post to the other thread without touching the sender's buffer: a view of a whole buffer
 * is copied by the structured clone; a view of part of one is copied alone (a clone would copy the
 * whole buffer behind it) and that copy is transferred.
 */
export function copyToSend(bytes: Bytes): { bytes: Bytes; transfer: ArrayBuffer[] } {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return { bytes, transfer: [] }
  const copy = bytes.slice()
  return { bytes: copy, transfer: [copy.buffer] }
}

/** The S3 settings a storage thread is started with (its request handler is its own). */
export type ThreadSettings = Omit<S3Settings, 'requestHandler'>

/**
 * Starts the storage thread from this module's built or source file (`moduleUrl`, the sibling of the
 * entry: dist/storage-thread.mjs beside dist/serve.mjs). The settings, credentials included, are
 * handed over in memory, never through the environment or a file.
 */
export function startStorageThread(moduleUrl: URL, settings: ThreadSettings): Worker {
  return new Worker(moduleUrl, { workerData: settings, name: 'silkfeed-storage' })
}

/**
 * What the Node entries wire: the bucket through a storage thread started, and started again after
 * it died, from the module beside the entry at `entryUrl`.
 */
export function threadedS3Store(entryUrl: string, settings: ThreadSettings): ThreadedObjectStore {
  const moduleUrl = storageThreadUrl(entryUrl)
  return new ThreadedObjectStore(() => startStorageThread(moduleUrl, settings))
}

/** Where the storage thread's module is, beside the entry at `entryUrl` and with its extension. */
export function storageThreadUrl(entryUrl: string): URL {
  const extension = /\.[cm]?[jt]s$/.exec(new URL(entryUrl).pathname)?.[0] ?? '.mjs'
  return new URL(`./storage-thread${extension}`, entryUrl)
}

/** Answers the calls posted to `port` with the store (the storage thread's side); one reply per call. */
export function serveStore(
  port: {
    on(event: 'message', listener: (call: StoreCall) => void): unknown
    postMessage(reply: StoreReply, transfer?: ArrayBuffer[]): void
  },
  store: ObjectStore,
): void {
  port.on('message', ({ id, request }) => {
    perform(store, request).then(
      (value) => {
        if (
          value !== null &&
          typeof value === 'object' &&
          'body' in value &&
          value.body instanceof Uint8Array
        ) {
          const { bytes, transfer } = copyToSend(value.body as Bytes)
          port.postMessage({ id, value: { ...value, body: bytes } }, transfer)
        } else port.postMessage({ id, value })
      },
      (error: unknown) => port.postMessage({ id, error: sent(error) }),
    )
  })
}

function perform(store: ObjectStore, request: StoreRequest): Promise<unknown> {
  switch (request.op) {
    case 'get':
      return store.get(request.key)
    case 'getIfChanged':
      return store.getIfChanged(request.key, request.etag)
    case 'put':
      return store.put(request.key, request.body, request.meta, request.condition)
    case 'list':
      return store.list(
        request.prefix,
        request.startAfter === undefined ? {} : { startAfter: request.startAfter },
      )
    case 'delete':
      return store.delete(request.keys)
    case 'ping':
      return store.ping()
  }
}

function sent(error: unknown): SentError {
  if (error instanceof StorageUnavailableError)
    return { name: error.name, message: error.message, failure: error.failure }
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) }
}
