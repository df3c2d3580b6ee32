import { serve, type ServerType } from '@hono/node-server'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { parseFeedCatalog } from '../../src/domain/feed-definition.ts'
import { signBody } from '../../src/http/signature.ts'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { ArticleRepository } from '../../src/services/article-repository.ts'
import type { ObjectStore } from '../../src/ports/object-store.ts'
import { overriding } from '../support/memory-store.ts'
import { StorageUnavailableError } from '../../src/ports/object-store.ts'
import { appOver, TEST_SECRET } from '../support/app.ts'
import { ROOT } from '../support/samples.ts'
import { startSeededS3, storeFor } from '../support/s3.ts'
import { postRepublish } from '../support/webhook.ts'

// A feed with room for the whole storm, so that "every story ends up in it" is checkable.
const catalog = parseFeedCatalog({
  'feeds/storm.json': {
    id: 'storm',
    sections: ['storm'],
    locales: ['zh', 'ru', 'kk', 'uz'],
    limit: 200,
    cache: { maxAge: 60, staleWhileRevalidate: 60, staleIfError: 600 },
  },
  'feeds/latest.json': {
    id: 'latest',
    sections: 'all',
    locales: ['zh', 'ru', 'kk', 'uz'],
    limit: 50,
    cache: { maxAge: 60, staleWhileRevalidate: 60, staleIfError: 600 },
  },
})

let s3: EmbeddedS3
let store: ObjectStore
let server: ServerType
let base: string
let directory: string

function storyNumber(n: number, extra: Partial<Article> = {}): Article {
  return {
    id: `storm-${n}`,
    locale: 'ru',
    title: `Новость ${n}`,
    url: `https://news.silkfeed.dev/ru/2026/11/24/storm-${n}`,
    publishedAt: new Date(Date.parse('2026-11-24T00:00:00Z') + n * 60_000).toISOString(),
    sections: ['storm'],
    ...extra,
  }
}

async function post(payload: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const body = JSON.stringify(payload)
  const signature = await signBody(new TextEncoder().encode(body), TEST_SECRET, Date.now() / 1000)
  return fetch(`${base}/webhooks/republish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'silkfeed-signature': signature, ...headers },
    body,
  })
}

async function feedIds(path: string): Promise<string[]> {
  const res = await fetch(`${base}${path}`)
  const feed = (await res.json()) as { items: { id: string; title: string }[] }
  return feed.items.map((i) => i.id)
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-republish-'))
  ;({ embedded: s3 } = await startSeededS3(directory, 'silkfeed-rp'))
  store = storeFor(s3.endpoint, 'silkfeed-rp', 5000)
  const app = appOver(store, { freshMs: 0 }, undefined, {}, catalog)
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

describe('republishing against s3rver (no conditional writes)', () => {
  it('loses no update: 100 concurrent webhooks, each a different story, all end up in the feed, and a polling reader never sees one vanish', async () => {
    // Each story's 200, by the time it arrived; a poll must show every story reported before it was sent.
    const done = new Map<string, number>()
    const polls: Promise<{ sentAt: number; ids: Set<string> }>[] = []
    const poll = () => {
      const sentAt = performance.now()
      polls.push(feedIds('/ru/storm.json').then((ids) => ({ sentAt, ids: new Set(ids) })))
    }
    // A reader polling all through the storm, however fast or slow the machine is...
    let storming = true
    const poller = (async () => {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the storm below clears it
      while (storming) {
        poll()
        await polls.at(-1)
      }
    })()
    const responses = await Promise.all(
      Array.from({ length: 100 }, async (_, n) => {
        const res = await post({ upsert: [storyNumber(n)] })
        done.set(`tag:silkfeed.dev,2026:article/storm-${n}/ru`, performance.now())
        // ...and polls sent the moment a 200 arrives, while the other webhooks are still in flight.
        if (n % 10 === 0) poll()
        return res.status
      }),
    )
    storming = false
    await poller
    expect(responses.filter((s) => s !== 200)).toEqual([])
    const ids = await feedIds('/ru/storm.json')
    // Every story of the storm, each once (other tests of this file may add stories of their own).
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(expect.arrayContaining([...done.keys()]))
    expect(done.size).toBe(100)
    let checked = 0
    for (const { sentAt, ids: seen } of await Promise.all(polls)) {
      for (const [id, at] of done) {
        if (at > sentAt) continue
        checked++
        expect(seen.has(id), `${id} vanished`).toBe(true)
      }
    }
    // At least the ten polls sent on a 200 had something to check.
    expect(checked).toBeGreaterThanOrEqual(10)
  })

  it('converges on the newest updatedAt when 20 versions of one story race', async () => {
    const versions = Array.from({ length: 20 }, (_, i) =>
      storyNumber(500, {
        title: `Версия ${i}`,
        updatedAt: new Date(Date.parse('2026-11-25T00:00:00Z') + i * 1000).toISOString(),
      }),
    )
    const shuffled = [...versions].sort(() => Math.random() - 0.5)
    const statuses = await Promise.all(shuffled.map(async (v) => (await post({ upsert: [v] })).status))
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    const current = await new ArticleRepository(store).current('ru', 'storm-500')
    expect(current?.kind === 'live' && current.record.title).toBe('Версия 19')
    for (const path of ['/ru/storm.json', '/ru/latest.json']) {
      const feed = (await (await fetch(`${base}${path}`)).json()) as {
        items: { id: string; title: string }[]
      }
      expect(feed.items.find((i) => i.id.endsWith('/storm-500/ru'))?.title).toBe('Версия 19')
    }
  })
})

describe('storage failing in the middle of a republish', () => {
  /** The app over the store, but the next `failing.left` change-log writes fail (all else lands). */
  function overFlakyLog() {
    const failing = { left: 0 }
    const flaky = overriding(store, {
      put: (k, b, m) =>
        k.startsWith('log/') && failing.left-- > 0
          ? Promise.reject(new StorageUnavailableError('injected'))
          : store.put(k, b, m),
    })
    return { failing, app: appOver(flaky, { freshMs: 0 }, undefined, {}, catalog) }
  }

  it('answers 503 with Retry-After, and the same request retried completes it', async () => {
    // The article version lands, then the store fails on the change log.
    const { failing, app } = overFlakyLog()
    const payload = { upsert: [storyNumber(900, { locale: 'kk', title: 'Жаңалық' })] }
    failing.left = 1
    const failed = await postRepublish(app, payload)
    expect(failed.status).toBe(503)
    expect(failed.headers.get('retry-after')).toBe('7')
    const retried = await postRepublish(app, payload)
    expect(retried.status).toBe(200)
    const feed = (await (await app.request('/kk/storm.json')).json()) as { items: { title: string }[] }
    expect(feed.items.map((i) => i.title)).toContain('Жаңалық')
  })

  it('pulls a story when a retraction that failed half-way is sent again', async () => {
    // The retraction lands under the story's key; the change log entry does not.
    const { failing, app } = overFlakyLog()
    const ids = async () =>
      ((await (await app.request('/ru/storm.json')).json()) as { items: { id: string }[] }).items.map(
        (i) => i.id,
      )
    const upsert = { upsert: [storyNumber(901, { locale: 'ru', title: 'Отзыв' })] }
    expect((await postRepublish(app, upsert)).status).toBe(200)
    expect((await ids()).some((id) => id.includes('storm-901'))).toBe(true)
    const retraction = { retract: [{ id: 'storm-901', locale: 'ru' }] }
    failing.left = 1
    expect((await postRepublish(app, retraction)).status).toBe(503)
    const retried = await postRepublish(app, retraction)
    expect(retried.status).toBe(200)
    expect(((await retried.json()) as { retracted: unknown[] }).retracted).toContainEqual({
      id: 'storm-901',
      locale: 'ru',
    })
    expect((await ids()).some((id) => id.includes('storm-901'))).toBe(false)
    const atom = await (await app.request('/ru/storm.atom')).text()
    expect(atom).toMatch(/<at:deleted-entry ref="[^"]*storm-901\/ru"/)
  })
})

describe('a signed retraction captured and sent again', () => {
  it('changes nothing once the editor has published the story anew: it stays in every feed', async () => {
    const story = storyNumber(0, {
      id: 'replayed-retraction',
      locale: 'kk',
      title: 'Жаңалық',
      publishedAt: '2026-11-30T00:00:00Z',
    })
    const inFeeds = async () => {
      const feeds = await Promise.all(['/kk/storm.json', '/kk/latest.json'].map(feedIds))
      return feeds.map((ids) => ids.some((id) => id.includes('/replayed-retraction/')))
    }
    expect((await post({ upsert: [story] })).status).toBe(200)
    expect(await inFeeds()).toEqual([true, true])

    // The retraction, as an eavesdropper captures it: the exact bytes and signature.
    const body = JSON.stringify({ retract: [{ id: story.id, locale: 'kk' }] })
    const signature = await signBody(new TextEncoder().encode(body), TEST_SECRET, Date.now() / 1000)
    const send = () =>
      fetch(`${base}/webhooks/republish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'silkfeed-signature': signature },
        body,
      })
    expect((await send()).status).toBe(200)
    expect(await inFeeds()).toEqual([false, false])

    // The editor publishes the story again, corrected after the retraction.
    const corrected = { ...story, title: 'Жаңалық қайта', updatedAt: new Date().toISOString() }
    expect((await post({ upsert: [corrected] })).status).toBe(200)
    expect(await inFeeds()).toEqual([true, true])

    // The captured request, sent again within the signature window.
    const replay = await send()
    expect(replay.status).toBe(200)
    const report = (await replay.json()) as { retracted: unknown[]; skipped: { reason: string }[] }
    expect(report.retracted).toEqual([])
    expect(report.skipped).toEqual([expect.objectContaining({ reason: 'newer-than-retraction' })])
    expect(await inFeeds()).toEqual([true, true])
  })
})

describe("npm run republish (the integrators' command)", () => {
  const run = (args: string[], secret: string) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/republish.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, WEBHOOK_SECRETS: secret },
    }).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    )

  it('signs a payload file, sends it and prints the report', async () => {
    const file = join(directory, 'payload.json')
    writeFileSync(file, JSON.stringify({ upsert: [storyNumber(700, { locale: 'uz', title: 'Yangilik' })] }))
    const result = await run([file, '--url', base], TEST_SECRET)
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).stored).toHaveLength(2)
    expect(JSON.parse(result.stdout).stored).toEqual(
      expect.arrayContaining([
        // in any order
        expect.objectContaining({ id: 'storm-700', locale: 'uz' }),
        // The Uzbek Cyrillic variant, derived at ingest.
        expect.objectContaining({ id: 'storm-700', locale: 'uz-cyrl', derivedFrom: 'uz' }),
      ]),
    )
  })

  it('exits non-zero and shows the problem when the server refuses', async () => {
    const file = join(directory, 'refused.json')
    writeFileSync(file, JSON.stringify({ upsert: [storyNumber(701, { locale: 'uz', title: 'Yangilik' })] }))
    const result = await run([file, '--url', base], 'a-wrong-secret-that-is-long-enough')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/401[\s\S]*BAD_SIGNATURE/)
  })
})
