import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmbeddedS3, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { appOver } from '../support/app.ts'
import { storeFor } from '../support/s3.ts'
import { loadSamples } from '../support/samples.ts'

const BUCKET = 'repair'
const JOURNAL = '.silkfeed-journal'
const encode = (text: string) => new TextEncoder().encode(text)

/** The three files s3rver keeps per object, by key. */
function filesOf(directory: string, key: string) {
  const stem = join(directory, BUCKET, key)
  return {
    object: `${stem}._S3rver_object`,
    md5: `${stem}._S3rver_object.md5`,
    metadata: `${stem}._S3rver_metadata.json`,
  }
}

function write(path: string, data: string | Uint8Array) {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, data)
}

describe('the embedded store after a crash', () => {
  const roots: string[] = []
  const running: EmbeddedS3[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s3) => s3.stop()))
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
  })

  async function start(directory: string, logs: string[] = []) {
    const embedded = await startEmbeddedS3({
      directory,
      buckets: [BUCKET],
      onStderrLine: (line) => logs.push(line),
    })
    running.push(embedded)
    return { embedded, store: storeFor(embedded.endpoint, BUCKET) }
  }

  async function stop(embedded: EmbeddedS3) {
    await embedded.stop()
    running.splice(running.indexOf(embedded), 1)
  }

  /** A store with the samples and their rendered feeds, stopped; returns its folder. */
  async function seededDirectory() {
    const root = mkdtempSync(join(tmpdir(), 'silkfeed-repair-'))
    roots.push(root)
    const directory = join(root, 's3')
    const { embedded, store } = await start(directory)
    await storeArticles(store, loadSamples())
    expect((await appOver(store).request('/ru/latest.rss')).status).toBe(200)
    await stop(embedded)
    return { root, directory }
  }

  /** The states seen after `kill -9` of s3rver's own writes, under records, log, snapshots and rendered feeds. */
  function leaveHalfWrittenObjects(directory: string) {
    const record = filesOf(directory, 'articles/ru/00/half-written/2026-12-05T10:00:00.000Z.json')
    write(record.object, '{"id":"half-written"')
    const log = filesOf(directory, 'log/2026-12-05T10-00-00-000Z-half.json')
    write(log.object, '{"changes":[]}')
    write(log.md5, createHash('md5').update('{"changes":[]}').digest('hex'))
    write(log.metadata, '')
    const rendered = filesOf(directory, 'rendered/latest/ru.rss')
    expect(existsSync(rendered.object)).toBe(true)
    write(rendered.metadata, '')
    const snapshot = filesOf(directory, 'snapshots/v2/sco/kk.json')
    rmSync(snapshot.object, { force: true })
    write(snapshot.metadata, '{"content-type":"application/json"}')
    return { record, log, rendered, snapshot }
  }

  it('sets aside objects that s3rver left half-written, logs each, and starts, lists and serves feeds', async () => {
    const { root, directory } = await seededDirectory()
    const files = leaveHalfWrittenObjects(directory)
    // Data written by s3rver before the crash-safe store is checked at its first start.
    rmSync(join(directory, JOURNAL), { recursive: true, force: true })

    const logs: string[] = []
    const { store } = await start(directory, logs)

    for (const prefix of ['articles/', 'log/', 'snapshots/', 'rendered/', '']) await store.list(prefix)
    expect(await store.list('articles/ru/00/half-written/')).toEqual([])
    expect(await store.list('log/')).not.toContain('log/2026-12-05T10-00-00-000Z-half.json')
    expect(await store.get('rendered/latest/ru.rss')).toBeNull()
    for (const path of [
      files.record.object,
      files.log.object,
      files.rendered.object,
      files.snapshot.metadata,
    ]) {
      expect(existsSync(path), path).toBe(false)
    }
    const quarantined = readdirSync(join(root, 's3-quarantine', BUCKET), { recursive: true })
    expect(quarantined).toContain(join('rendered', 'latest', 'ru.rss._S3rver_object'))
    const setAside = logs.map((line) => JSON.parse(line) as { msg: string; key: string; reason: string })
    expect(setAside.map(({ key, reason }) => [key, reason]).sort()).toEqual([
      ['articles/ru/00/half-written/2026-12-05T10:00:00.000Z.json', 'object without its metadata'],
      ['log/2026-12-05T10-00-00-000Z-half.json', 'zero-byte metadata'],
      ['rendered/latest/ru.rss', 'zero-byte metadata'],
      ['snapshots/v2/sco/kk.json', 'metadata or md5 without its object'],
    ])

    const app = appOver(store)
    for (const path of ['/ru/latest.rss', '/kk/sco.atom', '/zh/latest.json']) {
      expect((await app.request(path)).status, path).toBe(200)
    }
  })

  it('never fails a listing or a read on half-written objects that appear after its start check', async () => {
    const { directory } = await seededDirectory()
    const files = leaveHalfWrittenObjects(directory)
    const { store } = await start(directory)

    for (const prefix of ['articles/', 'log/', 'snapshots/', 'rendered/', '']) await store.list(prefix)
    expect(await store.list('rendered/latest/')).not.toContain('rendered/latest/ru.rss')
    expect(await store.get('log/2026-12-05T10-00-00-000Z-half.json')).toBeNull()
    expect(await store.get('snapshots/v2/sco/kk.json')).toBeNull()
    expect(existsSync(files.rendered.object)).toBe(true)
    expect((await appOver(store).request('/ru/latest.rss')).status).toBe(200)
  })

  it('finishes a write whose intent was committed before the crash, wherever it stopped', async () => {
    const { directory } = await seededDirectory()
    const { store: before, embedded } = await start(directory)
    await before.put('log/a.json', encode('old a'), { contentType: 'text/plain' })
    await before.put('log/b.json', encode('old b'), { contentType: 'text/plain' })
    await before.put('log/c.json', encode('old c'), { contentType: 'text/plain' })
    await stop(embedded)
    const journal = join(directory, JOURNAL)
    const intent = (key: string, body: string) => ({
      bucket: BUCKET,
      key,
      md5: createHash('md5').update(body).digest('hex'),
      metadata: { 'content-type': 'application/json' },
    })
    // a: committed, body still in the journal; b: committed, body moved but metadata not yet written.
    write(join(journal, '000000000000001-1-000000001.intent'), JSON.stringify(intent('log/a.json', 'new a')))
    write(join(journal, '000000000000001-1-000000001.object'), 'new a')
    write(join(journal, '000000000000001-1-000000002.intent'), JSON.stringify(intent('log/b.json', 'new b')))
    write(filesOf(directory, 'log/b.json').object, 'new b')
    // c: the body was streamed but the intent never committed (the PUT was not acknowledged).
    write(join(journal, '000000000000001-1-000000003.object'), 'new c')
    write(join(journal, '000000000000001-1-000000003.intent.tmp'), '{"bucket":')

    const { store } = await start(directory)
    const a = await store.get('log/a.json')
    const b = await store.get('log/b.json')
    const c = await store.get('log/c.json')
    expect([new TextDecoder().decode(a!.body), a!.contentType, a!.etag]).toEqual([
      'new a',
      'application/json',
      `"${intent('log/a.json', 'new a').md5}"`,
    ])
    expect([new TextDecoder().decode(b!.body), b!.contentType]).toEqual(['new b', 'application/json'])
    expect([new TextDecoder().decode(c!.body), c!.contentType]).toEqual(['old c', 'text/plain'])
    expect(readdirSync(journal)).toEqual(['verified'])
  })
})
