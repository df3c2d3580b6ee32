import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmbeddedS3, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { storeFor } from '../support/s3.ts'

// s3rver encrypts its listing continuation tokens with single DES, which OpenSSL 3 serves only with
// --openssl-legacy-provider; every Node the project supports must still hand out a second page.

const BUCKET = 'silkfeed-pages'
let s3: EmbeddedS3
let directory: string

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-pages-'))
  s3 = await startEmbeddedS3({ directory, buckets: [BUCKET] })
}, 60_000)

afterAll(async () => {
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

describe('the embedded store', () => {
  it('lists every key of a prefix that spans more than one listing page', async () => {
    const store = storeFor(s3.endpoint, BUCKET)
    const keys = Array.from({ length: 1001 }, (_, i) => `records/${String(i).padStart(4, '0')}.json`)
    const body = new TextEncoder().encode('{}')
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(
        keys.slice(i, i + 50).map((key) => store.put(key, body, { contentType: 'application/json' })),
      )
    }
    expect(await store.list('records/')).toEqual(keys)
  })

  it('keeps idle connections open a minute, longer than one of its listings may hold it busy', async () => {
    // A request sent on an idle connection while s3rver walks a large prefix (synchronously, for
    // seconds) must be read when the walk ends, not reset as Node's default 5 s would have it.
    const header = await new Promise<string | string[] | undefined>((resolve, reject) =>
      get(`${s3.endpoint}/`, (res) => {
        res.resume()
        resolve(res.headers['keep-alive'])
      }).on('error', reject),
    )
    expect(header).toBe('timeout=60')
  })

  it('refuses a second store on its directory, naming the first one, and stays whole', async () => {
    const store = storeFor(s3.endpoint, BUCKET)
    const body = new TextEncoder().encode('{"kept":true}')
    await store.put('lock/kept.json', body, { contentType: 'application/json' })
    await expect(startEmbeddedS3({ directory, buckets: [BUCKET] })).rejects.toThrow(
      new RegExp(`in use by process ${s3.process.pid} .*S3_ENDPOINT`),
    )
    expect(new TextDecoder().decode((await store.get('lock/kept.json'))!.body)).toBe('{"kept":true}')
  })

  it('takes over the lock of a store whose process is gone, and gives it back when it stops', async () => {
    const other = mkdtempSync(join(tmpdir(), 'silkfeed-lock-'))
    const lock = `${join(other, 's3')}.lock`
    try {
      // A pid no process has (above the kernel's pid_max), as a SIGKILLed store leaves behind.
      writeFileSync(lock, '99999999')
      const second = await startEmbeddedS3({ directory: join(other, 's3'), buckets: [BUCKET] })
      expect(readFileSync(lock, 'utf8')).toBe(String(second.process.pid))
      await second.stop()
      expect(existsSync(lock)).toBe(false)
    } finally {
      rmSync(other, { recursive: true, force: true })
    }
  })
})
