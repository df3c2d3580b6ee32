import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import type { Logger } from '../../src/ports/observability.ts'
import {
  StorageUnavailableError,
  type Bytes,
  type ObjectStore,
  type StoredObject,
} from '../../src/ports/object-store.ts'
import { decodeBundle } from '../../src/services/feed-bundle.ts'
import { readSnapshot } from '../../src/services/snapshot-codec.ts'
import { KEYS } from '../../src/services/storage-keys.ts'
import type { S3ObjectStore } from '../../src/storage/s3-object-store.ts'
import { appOver } from '../support/app.ts'
import { startSeededS3 } from '../support/s3.ts'
import { postRepublish } from '../support/webhook.ts'

const BUCKET = 'silkfeed-heal'
const FEED_KEY = KEYS.rendered('latest', 'ru', 'json')
const SNAPSHOT_KEY = KEYS.snapshot('latest', 'ru')
const encoder = new TextEncoder()

let s3: EmbeddedS3
let store: S3ObjectStore
let directory: string

/** A logger that keeps the warnings, as an operator would read them. */
function recordingLogger(): Logger & { warnings: { message: string; key: unknown }[] } {
  const warnings: { message: string; key: unknown }[] = []
  return {
    warnings,
    info: () => {},
    error: () => {},
    warn: (message, fields) => warnings.push({ message, key: fields?.key }),
  }
}

/** A store whose reads of one key fail as s3rver failed them after a crash (InternalError), every time. */
function failingReadsOf(inner: ObjectStore, broken: string): ObjectStore {
  const fail = () =>
    Promise.reject(new StorageUnavailableError(`storage get ${broken} failed: InternalError`))
  return {
    get: (key) => (key === broken ? fail() : inner.get(key)),
    getIfChanged: (key, etag) => (key === broken ? fail() : inner.getIfChanged(key, etag)),
    put: (key, body, meta) => inner.put(key, body, meta),
    list: (prefix, options) => inner.list(prefix, options),
    delete: (keys) => inner.delete(keys),
    ping: () => inner.ping(),
  }
}

async function idsOf(res: Response): Promise<string[]> {
  expect(res.status).toBe(200)
  const feed = (await res.json()) as { items: { id: string }[] }
  return feed.items.map((i) => i.id)
}

/** The ru latest feed's item ids as the store serves them now. */
async function currentIds(): Promise<string[]> {
  return idsOf(await appOver(store).request('/ru/latest.json'))
}

async function damage(key: string, bytes: Bytes): Promise<void> {
  await store.put(key, bytes, { contentType: 'application/octet-stream' })
}

async function storedBytes(key: string): Promise<Bytes> {
  const object: StoredObject | null = await store.get(key)
  if (!object) throw new Error(`${key} is missing`)
  return object.body
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-heal-'))
  ;({ embedded: s3, store } = await startSeededS3(directory, BUCKET))
})

afterAll(async () => {
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

describe('a stored feed that cannot be used is rendered again from the records', () => {
  const whole = () => storedBytes(FEED_KEY)
  const cases: [string, () => Promise<Bytes>][] = [
    ['garbage', async () => encoder.encode('<html>502 Bad Gateway</html>')],
    ['truncated', async () => (await whole()).slice(0, Math.floor((await whole()).byteLength / 2))],
    ['zero bytes', async () => new Uint8Array(0)],
    [
      'a bundle of another format version',
      async () => {
        const bytes = (await whole()).slice()
        bytes[3] = 0x32 // "SFB2"
        return bytes
      },
    ],
    [
      'a bundle whose bytes changed in storage',
      async () => {
        const bytes = (await whole()).slice()
        bytes[bytes.byteLength - 1] = (bytes.at(-1) ?? 0) ^ 0xff
        return bytes
      },
    ],
  ]

  it.each(cases)(
    '%s: the feed is answered whole, warned about once, and repaired in storage',
    async (_, bad) => {
      const expectedIds = await currentIds()
      await damage(FEED_KEY, await bad())
      const logger = recordingLogger()
      const app = appOver(store, { freshMs: 0 }, logger)
      const answers = await Promise.all([1, 2, 3].map(async () => app.request('/ru/latest.json')))
      for (const res of answers) expect(await idsOf(res)).toEqual(expectedIds)
      expect(await idsOf(await app.request('/ru/latest.json'))).toEqual(expectedIds)
      expect(logger.warnings.filter((w) => w.key === FEED_KEY)).toHaveLength(1)
      expect(decodeBundle(await storedBytes(FEED_KEY))?.itemCount).toBe(expectedIds.length)
    },
  )

  it('the preview page of a damaged feed shows its stories', async () => {
    await damage(FEED_KEY, encoder.encode('not a bundle'))
    const res = await appOver(store).request('/ru/latest')
    expect(res.status).toBe(200)
    const html = await res.text()
    const feed = (await (await appOver(store).request('/ru/latest.json')).json()) as {
      items: { title: string }[]
    }
    for (const { title } of feed.items)
      expect(html).toContain(title.replace(/&/g, '&amp;').replace(/"/g, '&quot;'))
  })

  it('a store error on the feed key that persists is answered by rendering, not a 503', async () => {
    const expectedIds = await currentIds()
    const logger = recordingLogger()
    const app = appOver(failingReadsOf(store, FEED_KEY), { freshMs: 0 }, logger)
    for (let i = 0; i < 3; i++) expect(await idsOf(await app.request('/ru/latest.json'))).toEqual(expectedIds)
    expect(logger.warnings.filter((w) => w.key === FEED_KEY)).toHaveLength(1)
  })
})

describe('a stored snapshot that cannot be used is rebuilt from the records', () => {
  const story = (n: number) => ({
    id: `heal-${n}`,
    locale: 'ru',
    title: `Восстановление ${n}`,
    url: `https://news.silkfeed.dev/ru/heal-${n}`,
    publishedAt: new Date().toISOString(),
    sections: ['economy'],
  })
  const cases: [string, Bytes][] = [
    ['garbage', encoder.encode('\u0000\u0001garbage')],
    ['truncated', encoder.encode('{"items":[{"id":"a","locale":"ru"')],
    ['zero bytes', new Uint8Array(0)],
    ['of another version', encoder.encode('{"version":1,"entries":[]}')],
  ]
  let n = 0

  it.each(cases)(
    '%s: a republish answers 200, the feed keeps every story, the snapshot is stored again',
    async (_, bad) => {
      const before = await currentIds()
      await damage(SNAPSHOT_KEY, bad)
      const logger = recordingLogger()
      const app = appOver(store, { freshMs: 0 }, logger)
      const added = story(++n)
      const res = await postRepublish(app, { upsert: [added] })
      expect(res.status).toBe(200)
      const ids = await idsOf(await app.request('/ru/latest.json'))
      expect(ids).toContainEqual(expect.stringContaining(`article/${added.id}/`))
      for (const id of before) expect(ids).toContain(id)
      expect(logger.warnings.filter((w) => w.key === SNAPSHOT_KEY)).toHaveLength(1)
      expect((await readSnapshot(store, 'latest', 'ru'))?.items.map((i) => i.id)).toContain(added.id)
    },
  )

  it('a store error on the snapshot key is answered by a rebuild from the records', async () => {
    const logger = recordingLogger()
    const app = appOver(failingReadsOf(store, SNAPSHOT_KEY), { freshMs: 0 }, logger)
    const added = story(++n)
    expect((await postRepublish(app, { upsert: [added] })).status).toBe(200)
    expect(await idsOf(await app.request('/ru/latest.json'))).toContainEqual(
      expect.stringContaining(`article/${added.id}/`),
    )
    expect(logger.warnings.filter((w) => w.key === SNAPSHOT_KEY)).toHaveLength(1)
  })
})
