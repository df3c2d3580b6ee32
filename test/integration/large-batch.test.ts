import { mkdtempSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { parseFeedCatalog } from '../../src/domain/feed-definition.ts'
import { startEmbeddedS3, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { WEBHOOK_MAX_BYTES_DEFAULT } from '../../src/platform/config.ts'
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

/** A story of the sample stories' size as JSON (1.8–5.1 KB): a summary and a few paragraphs. */
function fullStory(n: number, locale: 'ru' | 'kk'): Article {
  const paragraph =
    locale === 'ru'
      ? `Делегация провела переговоры о поставках, логистике и инвестициях в регионе (${n}).`
      : `Делегация аймақтағы жеткізілім, логистика және инвестиция туралы келіссөз жүргізді (${n}).`
  return {
    ...story(n, locale),
    summary: paragraph.repeat(3),
    contentHtml: Array.from({ length: 24 }, () => `<p>${paragraph}</p>`).join(''),
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
  it(`gets its 200 within the default body limit on a healthy store that already holds ${STORED} stories`, async () => {
    const app = appOver(store, {}, undefined, { maxBytes: WEBHOOK_MAX_BYTES_DEFAULT }, catalog)
    // The feeds exist already, as on a store in service.
    expect((await app.request('/ru/latest.json')).status).toBe(200)
    // New stories in kk (each with its derived kk-latn variant) and corrections of stored ru ones.
    const records = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0
        ? fullStory(STORED + i, 'kk')
        : { ...fullStory(i, 'ru'), updatedAt: '2026-12-01T00:00:00Z', title: `Исправлено ${i}` },
    )
    // Full-size stories: more than the 1 MiB that was once the default, as a newsroom sends them.
    expect(new TextEncoder().encode(JSON.stringify({ upsert: records })).byteLength).toBeGreaterThan(
      4 * 1024 * 1024,
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
