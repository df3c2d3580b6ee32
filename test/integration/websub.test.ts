import { LOCALES } from '../../src/domain/locale.ts'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

/** A local fake WebSub hub that records publish pings; it fails the first ping to prove retries. */
let hub: Server
let hubUrl: string
const received: { mode: string | null; url: string | null }[] = []
let failuresLeft = 1

beforeAll(async () => {
  hub = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      if (failuresLeft-- > 0) {
        res.writeHead(503).end()
        return
      }
      const form = new URLSearchParams(body)
      received.push({ mode: form.get('hub.mode'), url: form.get('hub.url') })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve))
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`
})

afterAll(() => new Promise<void>((resolve) => hub.close(() => resolve())))

async function appWithHub(hubs: string[]) {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  return appOver(store, {}, undefined, { hubs })
}

describe('WebSub', () => {
  it('advertises the hub and self in every format and in Link headers', async () => {
    const app = await appWithHub([hubUrl])
    const rss = await app.request('/ru/sco.rss')
    expect(rss.headers.get('link')).toBe(
      `<${hubUrl}>; rel="hub", <https://feeds.silkfeed.test/ru/sco.rss>; rel="self"`,
    )
    expect(await rss.text()).toContain(`<atom:link href="${hubUrl}" rel="hub"/>`)
    expect(await (await app.request('/ru/sco.atom')).text()).toContain(`<link rel="hub" href="${hubUrl}"/>`)
    const json = (await (await app.request('/ru/sco.json')).json()) as { hubs: unknown }
    expect(json.hubs).toEqual([{ type: 'WebSub', url: hubUrl }])
  })

  it('pings the hub with hub.mode=publish for every regenerated feed after the 200, retrying a failing hub', async () => {
    const app = await appWithHub([hubUrl])
    const [story] = loadSamples().filter((a) => a.locale === 'uz' && a.sections.includes('sco'))
    const res = await postRepublish(app, {
      upsert: [{ ...story!, title: 'Yangilangan', updatedAt: '2026-11-24T12:00:00+05:00' }],
    })
    expect(res.status).toBe(200)
    // Every feed that carries the story, in every locale (its items link the new title) and format.
    const expected = ['latest', 'sco', 'summaries'].flatMap((feed) =>
      LOCALES.flatMap((l) =>
        ['rss', 'atom', 'json'].map((f) => `https://feeds.silkfeed.test/${l}/${feed}.${f}`),
      ),
    )
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(expected.length)
    expect(received.map((r) => r.url).sort()).toEqual(expected.sort())
    expect(received.every((r) => r.mode === 'publish')).toBe(true)
  })

  it('never fails the webhook when the hub is unreachable', async () => {
    const app = await appWithHub(['http://127.0.0.1:9/'])
    const res = await postRepublish(app, { rebuild: ['sco'] })
    expect(res.status).toBe(200)
  })
})
