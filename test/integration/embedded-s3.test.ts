import { mkdtempSync, rmSync } from 'node:fs'
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
})
