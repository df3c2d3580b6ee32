import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MessageChannel, Worker } from 'node:worker_threads'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMBEDDED_CREDENTIALS, startEmbeddedS3, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import {
  copyToSend,
  errorFrom,
  serveStore,
  startStorageThread,
  storageThreadUrl,
  ThreadedObjectStore,
  type SentError,
  type StoreReply,
  type ThreadSettings,
} from '../../src/platform/threaded-object-store.ts'
import {
  PreconditionFailedError,
  StorageUnavailableError,
  type ObjectStore,
} from '../../src/ports/object-store.ts'
import { ROOT } from '../support/samples.ts'
import { buildServeEntry } from '../support/silkfeed-process.ts'

const BUCKET = 'silkfeed-threaded'
const encoder = new TextEncoder()
const decoder = new TextDecoder()

let s3: EmbeddedS3
let directory: string
let built: { entry: string; remove: () => void }
/** A TCP server that accepts connections and never answers: a storage request to it hangs. */
let silent: Server
const silentSockets: Socket[] = []
const stores: ThreadedObjectStore[] = []

function settings(endpoint: string, timeoutMs = 5000): ThreadSettings {
  return {
    endpoint,
    region: 'us-east-1',
    bucket: BUCKET,
    ...EMBEDDED_CREDENTIALS,
    forcePathStyle: true,
    timeoutMs,
  }
}

/** A store served by the storage thread as `npm run build` bundles it, beside the built entry. */
function threaded(start: () => Worker): ThreadedObjectStore {
  const store = new ThreadedObjectStore(start)
  stores.push(store)
  return store
}

function thread(endpoint: string, timeoutMs?: number): () => Worker {
  return () =>
    startStorageThread(storageThreadUrl(pathToFileURL(built.entry).href), settings(endpoint, timeoutMs))
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-threaded-'))
  s3 = await startEmbeddedS3({ directory, buckets: [BUCKET] })
  built = await buildServeEntry()
  silent = createServer((socket) => silentSockets.push(socket))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
})

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()))
  for (const socket of silentSockets) socket.destroy()
  await new Promise((resolve) => silent.close(resolve))
  await s3.stop()
  built.remove()
  rmSync(directory, { recursive: true, force: true })
})

function silentEndpoint(): string {
  const address = silent.address() as { port: number }
  return `http://127.0.0.1:${address.port}`
}

describe('ThreadedObjectStore against s3rver, through the storage thread and the AWS SDK', () => {
  it('keeps the port: put, get, revalidate, list after a key, delete, ping', async () => {
    const store = threaded(thread(s3.endpoint))
    const body = encoder.encode('{"title":"Қазақстан — Oʻzbekiston — 中国"}')
    const { etag } = await store.put('threaded/a.json', body, {
      contentType: 'application/json',
      metadata: { version: '3' },
    })
    await store.put('threaded/b.json', encoder.encode('b'), { contentType: 'text/plain' })

    const got = await store.get('threaded/a.json')
    expect(got).not.toBeNull()
    expect(decoder.decode(got!.body)).toBe('{"title":"Қазақстан — Oʻzbekiston — 中国"}')
    expect(got!.body).toBeInstanceOf(Uint8Array)
    expect(got!.contentType).toBe('application/json')
    expect(got!.metadata).toEqual({ version: '3' })
    expect(got!.etag).toBe(etag)

    expect(await store.getIfChanged('threaded/a.json', etag)).toBe('unchanged')
    const changed = await store.getIfChanged('threaded/a.json', '"not-the-etag"')
    expect(changed !== 'unchanged' && changed !== null && decoder.decode(changed.body)).toContain(
      'Oʻzbekiston',
    )
    expect(await store.get('threaded/missing.json')).toBeNull()

    expect(await store.list('threaded/')).toEqual(['threaded/a.json', 'threaded/b.json'])
    expect(await store.list('threaded/', { startAfter: 'threaded/a.json' })).toEqual(['threaded/b.json'])
    await store.delete(['threaded/a.json'])
    expect(await store.list('threaded/')).toEqual(['threaded/b.json'])
    await expect(store.ping()).resolves.toBeUndefined()
  })

  it("sends a copy of the caller's bytes, leaving the caller's buffer whole", async () => {
    const store = threaded(thread(s3.endpoint))
    const whole = encoder.encode('whole buffer')
    const backing = encoder.encode('[prefix]part of a buffer[suffix]')
    const part = backing.subarray(8, 24)
    await store.put('copies/whole', whole, { contentType: 'text/plain' })
    await store.put('copies/part', part, { contentType: 'text/plain' })
    // Neither buffer was transferred away (a transferred buffer reads as empty).
    expect(decoder.decode(whole)).toBe('whole buffer')
    expect(decoder.decode(part)).toBe('part of a buffer')
    expect(decoder.decode((await store.get('copies/part'))!.body)).toBe('part of a buffer')
    expect(decoder.decode((await store.get('copies/whole'))!.body)).toBe('whole buffer')
  })

  it('answers many calls at once, each with its own result', async () => {
    const store = threaded(thread(s3.endpoint))
    const keys = Array.from({ length: 40 }, (_, i) => `many/${String(i).padStart(2, '0')}`)
    await Promise.all(keys.map((key) => store.put(key, encoder.encode(key), { contentType: 'text/plain' })))
    const bodies = await Promise.all(keys.map(async (key) => decoder.decode((await store.get(key))!.body)))
    expect(bodies).toEqual(keys)
  })

  it('fails as StorageUnavailableError, naming the call, when the store cannot be reached', async () => {
    const store = threaded(thread('http://127.0.0.1:9', 1000))
    const failure = await store.get('any/key').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(StorageUnavailableError)
    expect((failure as Error).message).toMatch(/^storage get any\/key failed: /)
  })

  it('fails as StorageUnavailableError when the store accepts the connection and never answers (STORAGE_TIMEOUT_MS)', async () => {
    const store = threaded(thread(silentEndpoint(), 300))
    const failure = await store.get('silent/key').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(StorageUnavailableError)
    expect((failure as Error).message).toMatch(
      /^storage get silent\/key failed: TimeoutError: .*requestTimeout/,
    )
  })

  it('fails the calls in flight when the thread dies, and the next call starts another thread', async () => {
    const started: Worker[] = []
    // The first thread talks to a store that never answers; the next, to s3rver.
    const store = threaded(() => {
      const worker = thread(started.length === 0 ? silentEndpoint() : s3.endpoint, 20_000)()
      started.push(worker)
      return worker
    })
    const hanging = store.get('lost/key').catch((error: unknown) => error)
    await new Promise<void>((resolve) => started[0]!.once('online', resolve))
    await started[0]!.terminate()
    const failure = await hanging
    expect(failure).toBeInstanceOf(StorageUnavailableError)
    expect((failure as Error).message).toMatch(/storage thread exited/)

    await store.put('lost/key', encoder.encode('again'), { contentType: 'text/plain' })
    expect(decoder.decode((await store.get('lost/key'))!.body)).toBe('again')
    expect(started).toHaveLength(2)
  })

  it('keeps the process alive while a call is in flight, and lets it exit once the thread is idle', async () => {
    await threaded(thread(s3.endpoint)).put('alive/key', encoder.encode('held'), {
      contentType: 'text/plain',
    })
    // A script with nothing else to keep it alive: a top-level await on a storage call, then nothing.
    // (On Node 20 the SDK's warning about Node versions, written by the thread, also keeps the process
    // alive for a while; on Node 24 only the store's own ref does.)
    const script = join(dirname(built.entry), 'alive.mjs')
    await build({
      stdin: {
        contents: `
          import { startStorageThread, storageThreadUrl, ThreadedObjectStore } from './src/platform/threaded-object-store.ts'
          const settings = JSON.parse(process.argv[2])
          const store = new ThreadedObjectStore(() => startStorageThread(storageThreadUrl(import.meta.url), settings))
          const got = await store.get('alive/key')
          process.stdout.write(new TextDecoder().decode(got.body))
        `,
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: script,
      logLevel: 'warning',
    })
    const child = spawn(process.execPath, [script, JSON.stringify(settings(s3.endpoint))], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.once('close', (c, s) => resolve([c, s])),
    )
    clearTimeout(killer)
    // Exit code 13 would be Node giving up on the unsettled await; SIGKILL, a thread that held the process.
    expect({ code, signal, out }).toEqual({ code: 0, signal: null, out: 'held' })
  })

  it('after close, refuses calls as StorageUnavailableError', async () => {
    const store = threaded(thread(s3.endpoint))
    await store.ping()
    await store.close()
    await expect(store.ping()).rejects.toBeInstanceOf(StorageUnavailableError)
    await expect(store.get('any')).rejects.toThrow(/stopped/)
  })
})

describe('the errors callers tell apart, across the thread', () => {
  /** A thread that answers every call with the error named in its source. */
  function failingThread(name: string): () => Worker {
    const source = `
      const { parentPort } = require('node:worker_threads')
      parentPort.on('message', ({ id }) => parentPort.postMessage({ id, error: { name: ${JSON.stringify(name)}, message: 'refused: ' + id } }))
    `
    return () => new Worker(source, { eval: true })
  }

  it('a refused conditional write stays a PreconditionFailedError', async () => {
    const store = threaded(failingThread('PreconditionFailedError'))
    const failure = await store
      .put('k', new Uint8Array(1), { contentType: 'text/plain' }, { ifMatch: '"x"' })
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(PreconditionFailedError)
    expect((failure as Error).message).toMatch(/^refused: /)
  })

  it('an unreachable store stays a StorageUnavailableError; a defect stays a plain Error with its name', async () => {
    await expect(threaded(failingThread('StorageUnavailableError')).list('p/')).rejects.toBeInstanceOf(
      StorageUnavailableError,
    )
    const defect = await threaded(failingThread('TypeError'))
      .ping()
      .catch((error: unknown) => error)
    expect(defect).not.toBeInstanceOf(StorageUnavailableError)
    expect((defect as Error).name).toBe('TypeError')
    expect(errorFrom({ name: 'RangeError', message: 'm' })).toMatchObject({
      name: 'RangeError',
      message: 'm',
    })
  })

  it("the thread's side sends each error by name, with its message and a storage failure's kind", async () => {
    const { port1, port2 } = new MessageChannel()
    const failing: ObjectStore = {
      get: () => Promise.reject(new PreconditionFailedError('held elsewhere')),
      getIfChanged: () =>
        Promise.reject(new StorageUnavailableError('no bucket', { failure: 'bucket-missing' })),
      put: () => Promise.reject(new TypeError('bad')),
      list: () => Promise.resolve(['a', 'b']),
      delete: () => Promise.resolve(),
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what this checks
      ping: () => Promise.reject('not an Error'),
    }
    serveStore(port2, failing)
    const replies: StoreReply[] = []
    const all = new Promise<void>((resolve) =>
      port1.on('message', (reply: StoreReply) => {
        replies.push(reply)
        if (replies.length === 4) resolve()
      }),
    )
    port1.postMessage({ id: 1, request: { op: 'get', key: 'k' } })
    port1.postMessage({ id: 2, request: { op: 'getIfChanged', key: 'k', etag: '"e"' } })
    port1.postMessage({ id: 3, request: { op: 'list', prefix: 'p/', startAfter: undefined } })
    port1.postMessage({ id: 4, request: { op: 'ping' } })
    await all
    port1.close()
    expect(replies.sort((a, b) => a.id - b.id)).toEqual([
      { id: 1, error: { name: 'PreconditionFailedError', message: 'held elsewhere' } },
      { id: 2, error: { name: 'StorageUnavailableError', message: 'no bucket', failure: 'bucket-missing' } },
      { id: 3, value: ['a', 'b'] },
      { id: 4, error: { name: 'Error', message: 'not an Error' } },
    ])
    // What /readyz tells apart arrives as it left: a configuration error, not an outage.
    const failureOf = (sent: SentError) => {
      const error = errorFrom(sent)
      return error instanceof StorageUnavailableError ? error.failure : undefined
    }
    expect(failureOf((replies[1] as { error: SentError }).error)).toBe('bucket-missing')
    expect(failureOf({ name: 'StorageUnavailableError', message: 'm' })).toBe('unreachable')
  })
})

describe('copyToSend', () => {
  it('posts a whole buffer as it is (the clone copies it) and a part of one as a copy of the part alone', () => {
    const whole = new Uint8Array([1, 2, 3])
    expect(copyToSend(whole)).toEqual({ bytes: whole, transfer: [] })
    const part = new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4)
    const sent = copyToSend(part)
    expect([...sent.bytes]).toEqual([1, 2, 3])
    expect(sent.bytes.buffer.byteLength).toBe(3)
    expect(sent.transfer).toEqual([sent.bytes.buffer])
  })
})

describe('storageThreadUrl', () => {
  it('is the sibling of the entry, with its extension (built .mjs, or .ts when run from source)', () => {
    expect(storageThreadUrl('file:///srv/silkfeed/dist/serve.mjs').href).toBe(
      'file:///srv/silkfeed/dist/storage-thread.mjs',
    )
    expect(storageThreadUrl('file:///srv/silkfeed/src/platform/serve.ts').href).toBe(
      'file:///srv/silkfeed/src/platform/storage-thread.ts',
    )
  })
})
