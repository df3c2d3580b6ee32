import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { STORAGE_SETTINGS } from '../../src/http/routes/health.ts'
import { startEmbeddedS3, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { RawEnvSchema } from '../../src/platform/config.ts'
import { nodeS3RequestHandler } from '../../src/platform/node-s3-handler.ts'
import type { ObjectStore } from '../../src/ports/object-store.ts'
import { S3ObjectStore } from '../../src/storage/s3-object-store.ts'
import { ADMIN_SECRET, adminRequest } from '../support/admin.ts'
import { appOver } from '../support/app.ts'
import { serveOnNode, type ServedApp } from '../support/node-server.ts'
import { startSeededS3, storeFor } from '../support/s3.ts'

// /readyz against a real s3rver through the real adapter and the Node server: a store that is down
// is a wait (Retry-After); a bucket that does not exist or a key the store refuses is a configuration
// error, which says what to check and never what the settings hold.

const BUCKET = 'silkfeed-ready'
const WRONG_BUCKET = 'silkfeed-no-such-bucket'
const WRONG_KEY = 'AKIAWRONGKEY0000'
const SECRET = 'ready-test-secret-0123456789'

let s3: EmbeddedS3
let directory: string
const served: ServedApp[] = []

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-ready-'))
  ;({ embedded: s3 } = await startSeededS3(directory, BUCKET))
})

afterAll(async () => {
  await Promise.all(served.map((app) => app.close()))
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

/** The app over `store` on the Node server, each /readyz probing storage anew. */
async function serve(store: ObjectStore): Promise<string> {
  const extra = { readyCacheMs: 0, adminSecrets: [ADMIN_SECRET] }
  const app = await serveOnNode(appOver(store, {}, undefined, {}, undefined, extra))
  served.push(app)
  return `http://127.0.0.1:${app.port}`
}

/** The real adapter on the s3rver, with a key id and bucket of the test's choosing. */
function storeWith(accessKeyId: string, bucket: string): S3ObjectStore {
  return new S3ObjectStore({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket,
    accessKeyId,
    secretAccessKey: SECRET,
    forcePathStyle: true,
    timeoutMs: 2000,
    requestHandler: nodeS3RequestHandler(2000),
  })
}

interface Readiness {
  status: string
  storage: { status: string; reason?: string; settings?: string[]; detail?: string }
}

async function readyz(base: string, language?: string) {
  const res = await fetch(`${base}/readyz`, { headers: language ? { 'accept-language': language } : {} })
  const text = await res.text()
  return { res, text, body: JSON.parse(text) as Readiness }
}

/** Checks a body against the Readiness schema of the app's own OpenAPI document. */
async function expectDocumented(base: string, body: Readiness): Promise<void> {
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
    components: { schemas: { Readiness: object } }
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  const validate = ajv.compile(doc.components.schemas.Readiness)
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true)
}

describe('/readyz on the Node server against s3rver', () => {
  it('names, as configuration variables, only variables the configuration reads', () => {
    const known = Object.keys(RawEnvSchema.shape)
    for (const name of Object.values(STORAGE_SETTINGS).flat()) expect(known).toContain(name)
  })

  it('is ready when the store answers', async () => {
    const base = await serve(storeFor(s3.endpoint, BUCKET))
    const { res, body } = await readyz(base)
    expect(res.status).toBe(200)
    expect(body).toMatchObject({ status: 'ready', storage: { status: 'ok' } })
    await expectDocumented(base, body)
  })

  it('says a missing bucket is a configuration error naming S3_BUCKET, without Retry-After or the name', async () => {
    const base = await serve(storeFor(s3.endpoint, WRONG_BUCKET))
    const { res, text, body } = await readyz(base)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBeNull()
    expect(body).toMatchObject({
      status: 'unready',
      storage: { status: 'misconfigured', reason: 'bucket-missing', settings: ['S3_BUCKET', 'S3_ENDPOINT'] },
    })
    expect(body.storage.detail).toContain('The store has no such bucket. Check S3_BUCKET, S3_ENDPOINT')
    expect(text).not.toContain(WRONG_BUCKET)
    await expectDocumented(base, body)

    const russian = await readyz(base, 'ru')
    expect(russian.res.headers.get('content-language')).toBe('ru')
    expect(russian.body.storage.detail).toContain(
      'В хранилище нет такого бакета. Проверьте S3_BUCKET, S3_ENDPOINT',
    )
  })

  it('answers a feed, an item and the cursor 503, not 404, while the bucket is missing', async () => {
    // A missing bucket is no missing feed: every read must say storage is wrong, not that nothing exists.
    const base = await serve(storeFor(s3.endpoint, WRONG_BUCKET))
    for (const path of ['/ru/latest.atom', '/ru/items/sco-roadshow-overview.ninjs.json', '/ru/changes']) {
      const res = await fetch(`${base}${path}`)
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(503)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
    }
    // Nor is it an unknown partner: an operator looking one up is told storage is wrong.
    const local = { request: (path: string, init?: RequestInit) => fetch(`${base}${path}`, init) }
    const shown = await adminRequest(local, 'GET', '/admin/partners/acme')
    expect(shown.status, await shown.clone().text()).toBe(503)
  })

  it('says a key the store refuses is a configuration error naming the key variables, never the key', async () => {
    const base = await serve(storeWith(WRONG_KEY, BUCKET))
    const { res, text, body } = await readyz(base)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBeNull()
    expect(body).toMatchObject({
      status: 'unready',
      storage: {
        status: 'misconfigured',
        reason: 'credentials-refused',
        settings: ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'],
      },
    })
    expect(body.storage.detail).toContain('Check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY')
    expect(text).not.toContain(WRONG_KEY)
    expect(text).not.toContain(SECRET)
    await expectDocumented(base, body)
  })

  it('says a stopped store is unreachable, to be tried again after Retry-After', async () => {
    // A store of its own: the others' stays up whatever order the tests run in.
    const own = await startEmbeddedS3({ directory: join(directory, 'stopped'), buckets: [BUCKET] })
    const base = await serve(storeFor(own.endpoint, BUCKET, 1000))
    expect((await readyz(base)).res.status).toBe(200)
    await own.stop()
    const { res, body } = await readyz(base)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('7')
    expect(body).toMatchObject({
      status: 'unready',
      storage: { status: 'unavailable', reason: 'unreachable' },
    })
    expect(body.storage.settings).toBeUndefined()
    expect(body.storage.detail).toBe('The store did not answer in time, or failed. Try again in 7 seconds.')
    await expectDocumented(base, body)
  })
})
