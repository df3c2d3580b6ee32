import { createServer, type Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import type { ObjectStore } from '../../src/ports/object-store.ts'
import { announceReleases } from '../../src/services/releases.ts'
import { HubNotifier } from '../../src/services/websub.ts'
import { serviceOver, silentLogger } from '../support/app.ts'
import { TEST_SETTINGS } from '../support/samples.ts'
import { startSeededS3 } from '../support/s3.ts'

// Embargoes over the real AWS SDK against s3rver: what one process stored under embargo, another
// process (a fresh feed service, nothing in memory) releases at its time, by the clock alone, and
// the release check on Node tells the WebSub hub.

let s3: EmbeddedS3
let store: ObjectStore
let directory: string
let hub: Server
let hubUrl: string
const pinged: string[] = []

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-embargo-'))
  ;({ embedded: s3, store } = await startSeededS3(directory, 'silkfeed-embargo'))
  hub = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      pinged.push(new URLSearchParams(body).get('hub.url') ?? '')
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve))
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`
})

afterAll(async () => {
  await new Promise<void>((resolve) => hub.close(() => resolve()))
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

const T0 = Date.parse('2026-12-05T09:00:00Z')
const RELEASE = Date.parse('2026-12-05T10:00:00Z')
const ID = 'tag:silkfeed.dev,2026:article/uz-embargoed/uz'

function service(now: number) {
  return serviceOver(store, { now: () => now }, silentLogger, undefined, { ...TEST_SETTINGS, hubs: [hubUrl] })
}
const hubs = new HubNotifier({ hubs: [], logger: silentLogger, attempts: 1, backoffMs: 1, timeoutMs: 2000 })
const text = (bundle: { variants: { identity: { body: Uint8Array } } }) =>
  new TextDecoder().decode(bundle.variants.identity.body)

describe('an embargo over s3rver', () => {
  it('is lifted by time alone in a process that never saw the webhook, and the hub hears of it', async () => {
    const before = service(T0)
    await before.publishService().apply(
      {
        upsert: [
          {
            id: 'uz-embargoed',
            locale: 'uz',
            title: 'Toshkentda kelishuv imzolanadi',
            url: 'https://news.silkfeed.dev/uz/2026/12/05/uz-embargoed',
            publishedAt: '2026-12-05T13:00:00+05:00',
            sections: ['sco'],
            embargoUntil: '2026-12-05T15:00:00+05:00',
          },
        ],
      },
      T0,
    )
    const sco = before.feeds.find('sco')!
    expect(text((await before.getFeed(sco, 'uz', 'atom')).bundle)).not.toContain(ID)
    const early = await before.getFeedFor(before.feeds.find('wire')!, 'uz', 'atom', 'full-embargoed')
    expect(text(early.bundle)).toContain(
      '<sf:embargoedUntil xmlns:sf="https://silkfeed.dev/ns/1.0">2026-12-05T15:00:00+05:00</sf:embargoedUntil>',
    )
    const notifier = new HubNotifier({
      hubs: [hubUrl],
      logger: silentLogger,
      attempts: 1,
      backoffMs: 1,
      timeoutMs: 2000,
    })
    expect(await announceReleases(before, notifier, T0 + 60_000, 40_000)).toEqual([])

    const after = service(RELEASE + 15_000)
    const served = await after.getFeed(sco, 'uz', 'atom')
    expect(served.outcome).toBe('rendered')
    expect(text(served.bundle)).toContain(ID)
    const released = await announceReleases(after, notifier, RELEASE + 15_000, 40_000)
    expect(released).toEqual(
      expect.arrayContaining(['rss', 'atom', 'json'].map((f) => `https://feeds.silkfeed.test/uz/sco.${f}`)),
    )
    expect(pinged).toEqual(expect.arrayContaining(released))
    // Later checks leave a release announced once its window has passed.
    expect(await announceReleases(after, notifier, RELEASE + 120_000, 40_000)).toEqual([])
    // Without hubs there is nothing to tell.
    expect(await announceReleases(after, hubs, RELEASE + 15_000, 40_000)).toEqual([])
  })
})
