import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import type { Bytes } from '../../src/ports/object-store.ts'
import { decodeBundle } from '../../src/services/feed-bundle.ts'
import { KEYS } from '../../src/services/storage-keys.ts'
import type { S3ObjectStore } from '../../src/storage/s3-object-store.ts'
import { appOver } from '../support/app.ts'
import { ConditionalStore, holdingFirstWriteOf } from '../support/conditional-store.ts'
import { startSeededS3 } from '../support/s3.ts'
import { postRepublish } from '../support/webhook.ts'

const BUCKET = 'silkfeed-conditional'
const FEED_KEY = KEYS.rendered('latest', 'ru', 'json')
const decoder = new TextDecoder()

let s3: EmbeddedS3
let store: S3ObjectStore
let directory: string

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-conditional-'))
  ;({ embedded: s3, store } = await startSeededS3(directory, BUCKET))
})

afterAll(async () => {
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

function story(id: string) {
  return {
    id,
    locale: 'ru',
    title: `Сюжет ${id}`,
    url: `https://news.silkfeed.dev/ru/${id}`,
    publishedAt: new Date().toISOString(),
    sections: ['economy'],
  }
}

function storiesIn(body: Bytes): string[] {
  const bundle = decodeBundle(body)
  if (!bundle) throw new Error('not a bundle')
  const feed = JSON.parse(decoder.decode(bundle.variants.identity.body)) as { items: { id: string }[] }
  return feed.items.map((i) => /article\/([^/]+)\//.exec(i.id)?.[1] ?? i.id)
}

/**
 * Instance A renders a republish of `first`, and its write of the ru feed is held while instance B
 * republishes `second` (B's render holds both); then A's write goes on. Returns the stories of
 * every version of the ru feed that reached storage, in order, and the ones stored in the end.
 */
async function staleWriterRace(honour: boolean, tag: string) {
  const shared = new ConditionalStore(store)
  shared.honour = honour
  const versions: string[][] = []
  shared.onWrite = (key, body) => {
    if (key === FEED_KEY) versions.push(storiesIn(body))
  }
  expect((await appOver(shared).request('/ru/latest.json')).status).toBe(200)
  const a = holdingFirstWriteOf(shared, FEED_KEY)
  const appA = appOver(a.store)
  const appB = appOver(shared)
  const [first, second] = [`${tag}-a`, `${tag}-b`]
  const fromA = postRepublish(appA, { upsert: [story(first)] })
  await a.held
  expect((await postRepublish(appB, { upsert: [story(second)] })).status).toBe(200)
  a.release()
  expect((await fromA).status).toBe(200)
  const final = storiesIn((await store.get(FEED_KEY))!.body)
  return { versions, final, first, second, refused: shared.refused }
}

describe('two instances racing on one feed', () => {
  it('with conditional writes, the stale render is refused, and no later version lacks the other story', async () => {
    const { versions, final, first, second, refused } = await staleWriterRace(true, 'cw')
    expect(refused).toBeGreaterThan(0)
    const since = versions.findIndex((v) => v.includes(second))
    expect(since).toBeGreaterThanOrEqual(0)
    // The refused writer takes the stored rendering, which holds its story too: nothing goes back.
    expect(versions.slice(since).filter((v) => !v.includes(second))).toEqual([])
    expect(final).toEqual(expect.arrayContaining([first, second]))
  })

  it("an instance that has read another instance's rendering does not store one without its story", async () => {
    const shared = new ConditionalStore(store)
    const versions: string[][] = []
    shared.onWrite = (key, body) => {
      if (key === FEED_KEY) versions.push(storiesIn(body))
    }
    // A asks storage at every read (HOT_CACHE_MS=0), so it reads B's rendering as soon as it is stored.
    const appA = appOver(shared, { freshMs: 0 })
    const appB = appOver(shared)
    expect((await postRepublish(appA, { upsert: [story('seen-a1')] })).status).toBe(200)
    expect((await postRepublish(appB, { upsert: [story('seen-b')] })).status).toBe(200)
    expect((await appA.request('/ru/latest.json')).status).toBe(200)
    // A's memory of the feed lacks B's story; what A stores next must not.
    expect((await postRepublish(appA, { upsert: [story('seen-a2')] })).status).toBe(200)
    const since = versions.findIndex((v) => v.includes('seen-b'))
    expect(since).toBeGreaterThanOrEqual(0)
    expect(versions.slice(since).filter((v) => !v.includes('seen-b'))).toEqual([])
    expect(storiesIn((await store.get(FEED_KEY))!.body)).toEqual(
      expect.arrayContaining(['seen-a1', 'seen-b', 'seen-a2']),
    )
  })

  it('without them (a store that ignores If-Match, like s3rver) the stale writer overwrites the newer feed', async () => {
    const { versions, final, first, second } = await staleWriterRace(false, 'nc')
    const since = versions.findIndex((v) => v.includes(second))
    expect(versions.slice(since).some((v) => !v.includes(second))).toBe(true)
    // The check after writing still repairs it: the feed converges.
    expect(final).toEqual(expect.arrayContaining([first, second]))
  })
})
