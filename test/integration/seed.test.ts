import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lastChangeOf, type Article } from '../../src/domain/article.ts'
import { versionOf } from '../../src/domain/version.ts'
import { EMBEDDED_CREDENTIALS, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { startSeededEmbeddedStore } from '../../src/platform/embedded-store.ts'
import { seedIfEmpty } from '../../src/services/seed.ts'
import type { S3ObjectStore } from '../../src/storage/s3-object-store.ts'
import { appOver } from '../support/app.ts'
import type { ChangesPage } from '../support/changes.ts'
import { loadSamples, loadStoredSamples, ROOT } from '../support/samples.ts'
import { storeFor } from '../support/s3.ts'

// The demo's seed (`npm start`, `npm run dev`: startSeededEmbeddedStore; `npm run seed`:
// scripts/seed.ts) publishes the samples as a webhook upsert would, so a fresh store's change
// cursor announces them; seeding it again announces nothing.

const BUCKET = 'silkfeed'
let root: string
let embedded: EmbeddedS3
let store: S3ObjectStore
let seeded: boolean
/** Whether the first start seeded (the tests run in a random order; one restarts the store). */
let seededFirst: boolean

/** Starts the demo's store in `root` (its samples are the project's), as `npm start` does. */
async function startDemoStore(): Promise<void> {
  ;({ embedded, seeded } = await startSeededEmbeddedStore(root, BUCKET))
  store = storeFor(embedded.endpoint, BUCKET)
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'silkfeed-seed-'))
  mkdirSync(join(root, 'samples'))
  symlinkSync(join(ROOT, 'samples', 'articles'), join(root, 'samples', 'articles'))
  await startDemoStore()
  seededFirst = seeded
}, 60_000)

afterAll(async () => {
  await embedded.stop()
  rmSync(root, { recursive: true, force: true })
})

/** Every change of a locale a reader starting without a cursor is given, following `more`. */
async function changesOf(locale: string): Promise<ChangesPage['changes']> {
  const app = appOver(store)
  const changes: ChangesPage['changes'] = []
  let query = ''
  for (;;) {
    const res = await app.fetch(new Request(`https://feeds.silkfeed.test/${locale}/changes${query}`))
    expect(res.status).toBe(200)
    const page = (await res.json()) as ChangesPage
    changes.push(...page.changes)
    if (!page.more) return changes
    query = `?cursor=${page.next_cursor}`
  }
}

/** What the cursor should announce of the stored samples of a locale: each once, oldest first. */
function expected(locale: string): { type: string; id: string; version: string }[] {
  return loadStoredSamples()
    .filter((record) => record.locale === locale)
    .sort((a, b) => lastChangeOf(a) - lastChangeOf(b))
    .map((record: Article) => ({
      type: record.updatedAt === undefined ? 'published' : 'updated',
      id: record.id,
      version: versionOf(record),
    }))
}

const seen = (changes: ChangesPage['changes']) =>
  changes.map(({ type, id, version }) => ({ type, id, version }))

describe('the demo seed', () => {
  it('announces every sample story of a fresh store once, oldest first, in sent and derived locales', async () => {
    expect(seededFirst).toBe(true)
    const ru = await changesOf('ru')
    expect(seen(ru)).toEqual(expected('ru'))
    expect(ru).toHaveLength(loadSamples().filter((r) => r.locale === 'ru').length)
    // Five stories without a correction date are `published`; the corrected overview is `updated`.
    expect(ru.filter((c) => c.type === 'published')).toHaveLength(5)
    expect(ru.map((c) => c.at)).toEqual(ru.map((c) => c.at).sort())
    const zhHant = await changesOf('zh-hant')
    expect(zhHant.length).toBeGreaterThan(0)
    expect(seen(zhHant)).toEqual(expected('zh-hant'))
    // One log entry, as one webhook upsert of the samples writes.
    expect(await store.list('log/')).toHaveLength(1)
  })

  it('shows the seeded stories in the feeds, rendered on their first read', async () => {
    const res = await appOver(store).fetch(new Request('https://feeds.silkfeed.test/ru/latest.json'))
    expect(res.status).toBe(200)
    const ids = ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id)
    expect(ids).toHaveLength(expected('ru').length)
  })

  it('adds nothing when the store is seeded again: by a restart, by seedIfEmpty, by npm run seed', async () => {
    const log = await store.list('log/')
    const articles = await store.list('articles/')
    await embedded.stop()
    await startDemoStore()
    expect(seeded).toBe(false)
    expect(await seedIfEmpty(store, loadSamples())).toBe(false)
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        S3_ENDPOINT: embedded.endpoint,
        S3_BUCKET: BUCKET,
        S3_ACCESS_KEY_ID: EMBEDDED_CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: EMBEDDED_CREDENTIALS.secretAccessKey,
      },
    })
    expect(stdout).toContain('nothing published')
    expect(await store.list('log/')).toEqual(log)
    expect(await store.list('articles/')).toEqual(articles)
    expect(seen(await changesOf('ru'))).toEqual(expected('ru'))
  }, 60_000)
})
