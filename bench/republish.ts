// `npm run bench:republish`: time from sending a webhook that upserts one story in four locales to its
// 200 (every affected feed durable in storage), beside a baseline measured in the same run: plain S3
// PUTs of the same rendered bytes to the same server. Then the same with 1,000 and 20,000 stored
// articles, to show the cost follows the feeds touched, not the size of the store.
import { cpus } from 'node:os'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Article } from '../src/domain/article.ts'
import { signBody } from '../src/http/signature.ts'
import { startEmbeddedS3 } from '../src/platform/embedded-s3.ts'
import { storeArticles } from '../src/services/seed.ts'
import { KEYS } from '../src/services/storage-keys.ts'
import type { S3ObjectStore } from '../src/storage/s3-object-store.ts'
import { appOver, TEST_SECRET } from '../test/support/app.ts'
import { loadSamples } from '../test/support/samples.ts'
import { storeFor } from '../test/support/s3.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
const LOCALES = ['zh', 'ru', 'kk', 'uz'] as const

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function storyIn(locale: (typeof LOCALES)[number], round: number): Article {
  const base = loadSamples().find((a) => a.locale === locale && a.sections.includes('sco'))!
  return {
    ...base,
    title: `${base.title} (${round})`,
    updatedAt: new Date(Date.parse('2026-01-01T00:00:00Z') + round * 1000).toISOString(),
  }
}

async function fill(store: S3ObjectStore, count: number): Promise<void> {
  const samples = loadSamples()
  const batch: Article[] = []
  for (let i = 0; i < count; i++) {
    const s = samples[i % samples.length]!
    batch.push({
      ...s,
      id: `filler-${i}`,
      publishedAt: new Date(Date.parse('2020-01-01T00:00:00Z') + i * 60_000).toISOString(),
    })
  }
  for (let i = 0; i < batch.length; i += 64) await storeArticles(store, batch.slice(i, i + 64))
}

async function measure(app: ReturnType<typeof appOver>, store: S3ObjectStore, label: string) {
  const webhook: number[] = []
  const baseline: number[] = []
  for (let round = 0; round < ROUNDS + 2; round++) {
    const body = JSON.stringify({ upsert: LOCALES.map((l) => storyIn(l, round + 1_000_000 * label.length)) })
    const headers = {
      'content-type': 'application/json',
      'silkfeed-signature': await signBody(new TextEncoder().encode(body), TEST_SECRET, Date.now() / 1000),
    }
    let t = performance.now()
    const res = await app.request('/webhooks/republish', { method: 'POST', headers, body })
    const took = performance.now() - t
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`)
    // Baseline: the same rendered bytes, PUT to the same server, all at once.
    const keys = (await res.json()) as {
      feeds: { feed: string; locale: (typeof LOCALES)[number]; format: 'rss' | 'atom' | 'json' }[]
    }
    const objects = await Promise.all(
      keys.feeds.map((f) => store.get(KEYS.rendered(f.feed, f.locale, f.format))),
    )
    t = performance.now()
    await Promise.all(
      objects.map((o, i) => store.put(`baseline/${round}/${i}`, o!.body, { contentType: o!.contentType })),
    )
    const plain = performance.now() - t
    if (round >= 2) {
      webhook.push(took)
      baseline.push(plain)
    }
  }
  return { label, webhook: median(webhook), baseline: median(baseline) }
}

const directory = mkdtempSync(join(tmpdir(), 'silkfeed-bench-rp-'))
const s3 = await startEmbeddedS3({ directory, buckets: ['small', 'large'] })
try {
  console.log(`# npm run bench:republish — ${new Date().toISOString()}`)
  console.log(
    `# ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, s3rver on 127.0.0.1; median of ${ROUNDS} rounds`,
  )
  const rows = []
  for (const [bucket, count] of [
    ['small', 1000],
    ['large', 20000],
  ] as const) {
    const store = storeFor(s3.endpoint, bucket, 30_000)
    const started = performance.now()
    await storeArticles(store, loadSamples())
    await fill(store, count)
    console.log(
      `# stored ${count} articles in ${bucket} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
    const app = appOver(store, { storageTimeoutMs: 30_000 })
    // First build of each feed reads the whole store once; the steady state is what an editor sees.
    for (const locale of LOCALES)
      for (const feed of ['latest', 'sco']) await app.request(`/${locale}/${feed}.rss`)
    rows.push({ count, ...(await measure(app, store, bucket)) })
  }
  console.log(
    '\n| stored articles | webhook to 200 (ms) | plain PUTs of the same bytes (ms) | ratio (target ≤ 1.5x) |',
  )
  console.log('|---:|---:|---:|---:|')
  for (const r of rows) {
    console.log(
      `| ${r.count} | ${r.webhook.toFixed(1)} | ${r.baseline.toFixed(1)} | ${(r.webhook / r.baseline).toFixed(2)}x |`,
    )
  }
  const [small, large] = rows
  console.log(
    `\n20,000 vs 1,000 stored articles: ${(large!.webhook / small!.webhook).toFixed(2)}x (target ≤ 1.2x)`,
  )
} finally {
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
}
