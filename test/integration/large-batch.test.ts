import { mkdtempSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { parseFeedCatalog } from '../../src/domain/feed-definition.ts'
import { startEmbeddedS3, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { storeArticles } from '../../src/services/seed.ts'
import type { S3ObjectStore } from '../../src/storage/s3-object-store.ts'
import { appOver } from '../support/app.ts'
import { storeFor } from '../support/s3.ts'
import { postRepublish } from '../support/webhook.ts'

// The documented maximum (1000 records) against a store that already holds thousands of stories:
// the publish step must not start one storage request per record and variant at once (they would
// queue behind the HTTP agent's sockets into the connection timeout).
const STORED = 4000
const catalog = parseFeedCatalog({
  'feeds/latest.json': {
    id: 'latest',
    sections: 'all',
    locales: ['ru', 'kk', 'kk-latn'],
    limit: 50,
    cache: { maxAge: 60, staleWhileRevalidate: 60, staleIfError: 600 },
  },
})

function story(n: number, locale: 'ru' | 'kk'): Article {
  return {
    id: `batch-${n}`,
    locale,
    title: locale === 'ru' ? `Новость ${n}` : `Жаңалық ${n}`,
    url: `https://news.silkfeed.dev/${locale}/batch-${n}`,
    publishedAt: new Date(Date.parse('2026-01-01T00:00:00Z') + n * 60_000).toISOString(),
    sections: ['economy'],
  }
}

let s3: EmbeddedS3
let store: S3ObjectStore
let directory: string

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-batch-'))
  s3 = await startEmbeddedS3({ directory, buckets: ['batch'] })
  store = storeFor(s3.endpoint, 'batch', 5000)
  await storeArticles(
    store,
    Array.from({ length: STORED }, (_, n) => story(n, 'ru')),
  )
}, 300_000)

afterAll(async () => {
  await s3.stop()
  await rm(directory, { recursive: true, force: true })
})

describe('a webhook with the documented maximum of 1000 records', () => {
  it(`gets its 200 on a healthy store that already holds ${STORED} stories`, async () => {
    const app = appOver(store, {}, undefined, { maxBytes: 1024 * 1024 }, catalog)
    // The feeds exist already, as on a store in service.
    expect((await app.request('/ru/latest.json')).status).toBe(200)
    // New stories in kk (each with its derived kk-latn variant) and corrections of stored ru ones.
    const records = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0
        ? story(STORED + i, 'kk')
        : { ...story(i, 'ru'), updatedAt: '2026-12-01T00:00:00Z', title: `Исправлено ${i}` },
    )
    const res = await postRepublish(app, { upsert: records })
    expect(res.status).toBe(200)
    const report = (await res.json()) as { stored: unknown[]; skipped: unknown[] }
    expect(report.stored).toHaveLength(1500)
    expect(report.skipped).toEqual([])
    const feed = (await (await app.request('/kk-latn/latest.json')).json()) as { items: unknown[] }
    expect(feed.items).toHaveLength(50)
  }, 180_000)
})
