import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { signBody } from '../../src/http/signature.ts'

const worker = (exports as { default: { fetch(input: string, init?: RequestInit): Promise<Response> } })
  .default

// The secret the workerd project binds as WEBHOOK_SECRETS (vitest.config.mts).
const SECRET = 'workerd-test-secret-0123456789abcdef'

describe('the republish webhook in workerd', () => {
  it('derives Traditional Chinese at ingest with opencc-js inside the Worker, image descriptions included', async () => {
    const id = `workerd-${crypto.randomUUID().slice(0, 8)}`
    const body = JSON.stringify({
      upsert: [
        {
          id,
          locale: 'zh',
          title: '头发干燥的干部后来到了示范区',
          contentHtml:
            '<p>示范区<img src="https://media.silkfeed.dev/示范区.jpg" alt="示范区揭牌仪式"/><code>示范区</code></p>',
          url: `https://news.silkfeed.dev/zh/2026/11/24/${id}`,
          publishedAt: '2026-11-24T10:00:00+08:00',
          sections: ['sco'],
        },
      ],
    })
    const signature = await signBody(new TextEncoder().encode(body), SECRET, Date.now() / 1000)
    const res = await worker.fetch('https://feeds.silkfeed.test/webhooks/republish', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'silkfeed-signature': signature },
      body,
    })
    expect(res.status).toBe(200)
    const report = (await res.json()) as { stored: { locale: string; derivedFrom?: string }[] }
    expect(report.stored).toContainEqual(expect.objectContaining({ locale: 'zh-hant', derivedFrom: 'zh' }))

    const feed = (await (await worker.fetch('https://feeds.silkfeed.test/zh-hant/sco.json')).json()) as {
      items: { id: string; title: string; content_html: string }[]
    }
    const item = feed.items.find((i) => i.id.includes(`/${id}/`))
    expect(item?.title).toBe('頭髮乾燥的幹部後來到了示範區')
    expect(item?.content_html).toBe(
      '<p>示範區<img src="https://media.silkfeed.dev/示范区.jpg" alt="示範區揭牌儀式"/><code>示范区</code></p>',
    )
  })

  it('lets a captured retraction sent again change nothing once the story was published anew', async () => {
    const id = `replay-${crypto.randomUUID().slice(0, 8)}`
    const record = {
      id,
      locale: 'ru',
      title: 'Новость',
      url: `https://news.silkfeed.dev/ru/2026/11/24/${id}`,
      publishedAt: '2026-11-30T10:00:00+03:00',
      sections: ['sco'],
    }
    const post = async (body: string, signature?: string) =>
      worker.fetch('https://feeds.silkfeed.test/webhooks/republish', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'silkfeed-signature':
            signature ?? (await signBody(new TextEncoder().encode(body), SECRET, Date.now() / 1000)),
        },
        body,
      })
    const inFeeds = async () =>
      Promise.all(
        ['sco', 'latest'].map(async (feed) => {
          const res = await worker.fetch(`https://feeds.silkfeed.test/ru/${feed}.json`)
          const items = ((await res.json()) as { items: { id: string }[] }).items
          return items.some((i) => i.id.includes(`/${id}/`))
        }),
      )
    expect((await post(JSON.stringify({ upsert: [record] }))).status).toBe(200)

    const retraction = JSON.stringify({ retract: [{ id, locale: 'ru' }] })
    const captured = await signBody(new TextEncoder().encode(retraction), SECRET, Date.now() / 1000)
    expect((await post(retraction, captured)).status).toBe(200)
    expect(await inFeeds()).toEqual([false, false])

    const corrected = { ...record, title: 'Новость снова', updatedAt: new Date().toISOString() }
    expect((await post(JSON.stringify({ upsert: [corrected] }))).status).toBe(200)
    expect(await inFeeds()).toEqual([true, true])

    expect((await post(retraction, captured)).status).toBe(200)
    expect(await inFeeds()).toEqual([true, true])
  })
})
