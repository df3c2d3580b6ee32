import { serve, type ServerType } from '@hono/node-server'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { signBody } from '../../src/http/signature.ts'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { ArticleRepository } from '../../src/services/article-repository.ts'
import { ADMIN_SECRET, createPartner } from '../support/admin.ts'
import { appOver, TEST_SECRET } from '../support/app.ts'
import { loadSamples } from '../support/samples.ts'
import { startSeededS3, storeFor } from '../support/s3.ts'

let s3: EmbeddedS3
let directory: string
const servers: ServerType[] = []
/** Two processes over one bucket: the storm is sent to both, the partner reads from the second. */
const bases: string[] = []

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-changes-'))
  ;({ embedded: s3 } = await startSeededS3(directory, 'silkfeed-ch'))
  for (let i = 0; i < 2; i++) {
    const app = appOver(
      storeFor(s3.endpoint, 'silkfeed-ch', 5000),
      { storageTimeoutMs: 5000 },
      undefined,
      {},
      undefined,
      {
        adminSecrets: [ADMIN_SECRET],
      },
    )
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    servers.push(server)
    bases.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  }
})

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve))
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

function story(n: number, extra: Partial<Article> = {}): Article {
  return {
    id: `cursor-storm-${n}`,
    locale: 'ru',
    title: `Новость ${n}`,
    url: `https://news.silkfeed.dev/ru/2026/11/24/cursor-storm-${n}`,
    publishedAt: new Date(Date.parse('2026-11-24T00:00:00Z') + n * 60_000).toISOString(),
    sections: ['sco'],
    ...extra,
  }
}

async function post(base: string, payload: unknown): Promise<void> {
  const body = JSON.stringify(payload)
  const signature = await signBody(new TextEncoder().encode(body), TEST_SECRET, Date.now() / 1000)
  const res = await fetch(`${base}/webhooks/republish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'silkfeed-signature': signature },
    body,
  })
  expect(res.status, await res.text()).toBe(200)
}

interface Page {
  changes: { type: string; uri: string; version: string }[]
  next_cursor: string
  more: boolean
}

describe('a partner following the change cursor against s3rver', () => {
  it('ends holding every live story once at its newest version and no retracted one, across a storm sent to two processes', async () => {
    const partner = bases[1]!
    // What the partner holds: per uri, the greatest version seen and whether it is pulled.
    const held = new Map<string, { version: string; pulled: boolean }>()
    const hold = (uri: string, version: string, pulled: boolean) => {
      const known = held.get(uri)
      if (!known || version > known.version) held.set(uri, { version, pulled })
    }
    // Backfill from the window, then follow the cursor from the start of the log.
    const window = (await (await fetch(`${partner}/ru/latest.ninjs.json`)).json()) as {
      items: { uri: string; version: string }[]
    }
    for (const item of window.items) hold(item.uri, item.version, false)
    let cursor = ''
    const follow = async (wait: number): Promise<Page> => {
      const res = await fetch(`${partner}/ru/changes?wait=${wait}${cursor && `&cursor=${cursor}`}`)
      expect(res.status).toBe(200)
      const page = (await res.json()) as Page
      for (const change of page.changes) hold(change.uri, change.version, change.type === 'retracted')
      cursor = page.next_cursor
      return page
    }

    const storm = { done: false }
    const reader = (async () => {
      while (!storm.done) await follow(1)
    })()
    const operations = Array.from({ length: 24 }, (_, n) => {
      const later = new Date(Date.parse(story(n).publishedAt) + 3_600_000).toISOString()
      return [
        { upsert: [story(n)] },
        ...(n % 3 === 0 ? [{ upsert: [story(n, { title: `Исправлено ${n}`, updatedAt: later })] }] : []),
        ...(n % 4 === 0 ? [{ retract: [{ id: story(n).id, locale: 'ru' }] }] : []),
        ...(n === 7 ? [{ retract: [{ id: 'sco-moscow-presentation', locale: 'ru' }] }] : []),
      ]
    }).flat()
    await Promise.all(operations.map((payload, i) => post(bases[i % 2]!, payload)))
    storm.done = true
    await reader
    for (;;) {
      const page = await follow(2)
      if (page.changes.length === 0 && !page.more) break
    }

    const repository = new ArticleRepository(storeFor(s3.endpoint, 'silkfeed-ch'))
    // Every story the store may hold, including those another test of this file sent first.
    const heldIds = [...held.keys()].map((uri) => uri.split('/').at(-2)!)
    const ids = [
      ...new Set([...loadSamples().map((a) => a.id), ...operations.map((_, n) => story(n).id), ...heldIds]),
    ]
    const live = new Map<string, string>()
    for (const id of ids) {
      const head = await repository.head('ru', id)
      if (head?.kind === 'live') live.set(`tag:silkfeed.dev,2026:article/${id}/ru`, head.version)
    }
    const heldLive = new Map([...held].filter(([, h]) => !h.pulled).map(([uri, h]) => [uri, h.version]))
    expect(heldLive).toEqual(live)
    expect(held.get('tag:silkfeed.dev,2026:article/sco-moscow-presentation/ru')?.pulled).toBe(true)
  }, 90_000)

  it('a partner backfilling from its feed’s ninjs list, then following its keyed cursor, ends with its stories exactly once, embargoes released, kills removed', async () => {
    const [writer, reader] = bases as [string, string]
    const partner = await createPartner(
      { request: (path, init) => fetch(reader + path, init) },
      {
        name: 'Proof',
        feeds: ['sco'],
        locales: ['ru'],
      },
    )
    const keyed = `${reader}/p/${partner.key}/ru/changes`
    const proof = (n: number, extra: Partial<Article> = {}) =>
      story(n, { id: `proof-${n}`, url: `https://news.silkfeed.dev/ru/proof-${n}`, ...extra })
    // What the partner holds, per uri: the greatest version seen and whether it is pulled.
    const held = new Map<string, { version: string; pulled: boolean; reason?: string }>()
    const delivered = new Set<string>()
    const hold = (uri: string, version: string, pulled: boolean, reason?: string) => {
      const known = held.get(uri)
      if (!known || version > known.version) held.set(uri, { version, pulled, ...(reason && { reason }) })
    }
    // Its cursor starts before the backfill: nothing sent meanwhile falls between the two.
    let cursor = ((await (await fetch(keyed)).json()) as Page).next_cursor
    const list = (await (await fetch(`${reader}/ru/sco.ninjs.json`)).json()) as {
      items: { uri: string; version: string }[]
    }
    expect(list.items.length).toBeGreaterThan(0)
    for (const item of list.items) hold(item.uri, item.version, false)
    const follow = async (wait: number): Promise<Page> => {
      const res = await fetch(`${keyed}?wait=${wait}&cursor=${cursor}`)
      expect(res.status).toBe(200)
      const page = (await res.json()) as Page & { changes: { reason?: string; type: string }[] }
      for (const change of page.changes) {
        const once = `${change.type} ${change.uri} ${change.version}`
        expect(delivered.has(once), `delivered twice: ${once}`).toBe(false)
        delivered.add(once)
        hold(change.uri, change.version, change.type === 'retracted', change.reason)
      }
      cursor = page.next_cursor
      return page
    }

    const storm = { done: false }
    const following = (async () => {
      while (!storm.done) await follow(1)
    })()
    const releaseBy = Date.now() + 6_000
    const operations = Array.from({ length: 30 }, (_, n) => {
      const later = new Date(Date.parse(proof(n).publishedAt) + 3_600_000).toISOString()
      // Every fifth story is outside the partner's feed; every sixth is under a short embargo.
      const base = proof(n, {
        ...(n % 5 === 0 && { sections: ['economy'] }),
        ...(n % 6 === 1 && { embargoUntil: new Date(releaseBy - (n % 4) * 1000).toISOString() }),
      })
      return [
        { upsert: [base] },
        ...(n % 3 === 0 ? [{ upsert: [{ ...base, title: `Исправлено ${n}`, updatedAt: later }] }] : []),
        ...(n % 4 === 0
          ? [{ retract: [{ id: base.id, locale: 'ru', reason: n % 8 === 0 ? 'kill' : 'withdrawn' }] }]
          : []),
        ...(n === 11
          ? [{ retract: [{ id: 'sco-tashkent-presentation', locale: 'ru', reason: 'kill' }] }]
          : []),
      ]
    }).flat()
    // Two waves, each sent at once to both processes: the stories, then their corrections and
    // retractions (a retraction that overtook its story would pull nothing).
    const waves = [operations.filter((op) => op.upsert && !op.upsert[0]!.updatedAt)]
    waves.push(operations.filter((op) => !waves[0]!.includes(op)))
    for (const wave of waves)
      await Promise.all(wave.map((payload, i) => post(i % 2 ? writer : reader, payload)))
    storm.done = true
    await following
    // Past every embargo, then until the cursor has nothing more.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, releaseBy - Date.now())))
    for (;;) {
      const page = await follow(2)
      if (page.changes.length === 0 && !page.more) break
    }

    // The store's truth: each story of the partner's feed in ru whose newest version is live.
    const repository = new ArticleRepository(storeFor(s3.endpoint, 'silkfeed-ch'))
    const earlier = Array.from({ length: 24 }, (_, n) => story(n).id) // the other test's storm, if it ran
    const sent = operations.flatMap((op) => op.upsert?.map((a) => a.id) ?? [])
    const ids = [...new Set([...loadSamples().map((a) => a.id), ...earlier, ...sent])]
    const live = new Map<string, string>()
    for (const id of ids) {
      const head = await repository.head('ru', id)
      const record = head?.kind === 'live' ? await repository.record(head.key) : null
      if (head?.kind === 'live' && record?.sections.includes('sco'))
        live.set(`tag:silkfeed.dev,2026:article/${id}/ru`, head.version)
    }
    const heldLive = new Map([...held].filter(([, h]) => !h.pulled).map(([uri, h]) => [uri, h.version]))
    expect(heldLive).toEqual(live)
    expect(live.has('tag:silkfeed.dev,2026:article/proof-7/ru')).toBe(true) // released from embargo
    expect(held.get('tag:silkfeed.dev,2026:article/sco-tashkent-presentation/ru')).toMatchObject({
      pulled: true,
      reason: 'kill',
    })
    // A retraction that reached the store before its story did pulled nothing; the others say why.
    const pulled = [...held].filter(([uri, h]) => h.pulled && uri.includes('/proof-'))
    expect(pulled.length).toBeGreaterThan(0)
    for (const [uri, h] of pulled) {
      const n = Number(/proof-(\d+)/.exec(uri)![1])
      expect(h.reason, uri).toBe(n % 8 === 0 ? 'kill' : 'withdrawn')
    }
  }, 90_000)
})
