import { describe, expect, it } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { ADMIN_SECRET, createPartner } from '../support/admin.ts'
import { appOver, sampleApp } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'

interface Problem {
  code: string
  status: number
  detail: string
  instance: string
}

const SECRET = 'sf_secretKeyNeverEchoed'

async function problem(path: string, language?: string): Promise<{ res: Response; body: Problem }> {
  const { app } = await sampleApp()
  const headers: Record<string, string> = language ? { 'accept-language': language } : {}
  const res = await app.request(path, { headers })
  expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
  return { res, body: (await res.json()) as Problem }
}

describe('paths close to a partner’s keyed URL', () => {
  it.each([
    [
      `/p/${SECRET}/ru/latest.json/`,
      404,
      'ROUTE_NEAR_MISS',
      ['/p/{key}/ru/latest.json, without a trailing slash'],
    ],
    [`/p/${SECRET}/ru/changes/`, 404, 'ROUTE_NEAR_MISS', ['/p/{key}/ru/changes, without a trailing slash']],
    [`/p/${SECRET}/feeds.opml/`, 404, 'ROUTE_NEAR_MISS', ['/p/{key}/feeds.opml, without a trailing slash']],
    [
      `/p/${SECRET}/ru/items/x.ninjs.json/`,
      404,
      'ROUTE_NEAR_MISS',
      ['/p/{key}/ru/items/x.ninjs.json, without a trailing slash'],
    ],
    [
      `/p/${SECRET}/ru/items/x.json`,
      404,
      'ROUTE_NEAR_MISS',
      ['The item URL is /p/{key}/ru/items/{id}.ninjs.json', '/p/{key}/ru/changes'],
    ],
    [
      `/p/${SECRET}/ru/items/bad%20id.ninjs.json`,
      400,
      'ITEM_ID_INVALID',
      ['“bad id” is not a story id', 'The item URL is /p/{key}/ru/items/{id}.ninjs.json'],
    ],
    [
      `/p/${SECRET}/ru/`,
      404,
      'ROUTE_NEAR_MISS',
      ['/p/{key}/ru/{feed}.{rss|atom|json}', '/p/{key}/feeds.opml', 'on /p/{key}/.'],
    ],
    [
      `/p/${SECRET}`,
      404,
      'ROUTE_NEAR_MISS',
      ['its page is /p/{key}/,', '/p/{key}/{locale}/{feed}.{rss|atom|json}', '/p/{key}/feeds.opml'],
    ],
  ])('%s is a %i %s naming the keyed URL, the key left out', async (path, status, code, said) => {
    const { res, body } = await problem(path)
    expect(res.status).toBe(status)
    expect(body).toMatchObject({ status, code })
    for (const words of said) expect(body.detail).toContain(words)
    expect(JSON.stringify(body)).not.toContain(SECRET)
  })

  it('keeps the public item hint and its 400 free of a partner prefix', async () => {
    const { body } = await problem('/ru/items/bad%20id.ninjs.json')
    expect(body.detail).toContain('The item URL is /ru/items/{id}.ninjs.json')
    expect(body.detail).not.toContain('/p/')
  })

  it.each([
    ['zh', '合作方的地址在密钥之后继续', '稿件地址为 /p/{key}/ru/items/{id}.ninjs.json'],
    ['ru', 'Адреса партнёра продолжаются после ключа', 'Адрес материала: /p/{key}/ru/items/{id}.ninjs.json'],
    [
      'kk',
      'Серіктестің мекенжайлары кілттен кейін',
      'Материалдың мекенжайы: /p/{key}/ru/items/{id}.ninjs.json',
    ],
    [
      'uz',
      'Hamkor manzillari kalitdan keyin davom etadi',
      'Material manzili: /p/{key}/ru/items/{id}.ninjs.json',
    ],
  ])('says so in %s when Accept-Language asks for it', async (language, base, item) => {
    const bare = await problem(`/p/${SECRET}`, language)
    expect(bare.res.status).toBe(404)
    expect(bare.body.code).toBe('ROUTE_NEAR_MISS')
    expect(bare.body.detail).toContain(base)
    expect(bare.body.detail).toContain('/p/{key}/feeds.opml')
    const items = await problem(`/p/${SECRET}/ru/items/x.json`, language)
    expect(items.body.code).toBe('ROUTE_NEAR_MISS')
    expect(items.body.detail).toContain(item)
    const id = await problem(`/p/${SECRET}/ru/items/bad%20id.ninjs.json`, language)
    expect(id.res.status).toBe(400)
    expect(id.body.code).toBe('ITEM_ID_INVALID')
    expect(id.body.detail).toContain('/p/{key}/ru/items/{id}.ninjs.json')
    const locale = await problem(`/p/${SECRET}/kk/`, language)
    expect(locale.body.code).toBe('ROUTE_NEAR_MISS')
    expect(locale.body.detail).toContain('/p/{key}/kk/{feed}.{rss|atom|json}')
    for (const { body } of [bare, items, id, locale]) {
      expect(body.detail).not.toContain('{{')
      expect(JSON.stringify(body)).not.toContain(SECRET)
    }
  })

  it('answers the same to a working key, and logs the path without it', async () => {
    const store = new MemoryObjectStore()
    await storeArticles(store, loadSamples())
    const lines: string[] = []
    const log = (message: string, fields?: object) => lines.push(JSON.stringify({ message, ...fields }))
    const app = appOver(store, {}, { info: log, warn: log, error: log }, {}, undefined, {
      adminSecrets: [ADMIN_SECRET],
    })
    const { key } = await createPartner(app, { name: 'Reader' })
    const res = await app.request(`/p/${key}/ru/latest.json/`)
    expect(res.status).toBe(404)
    const body = (await res.json()) as Problem
    expect(body.code).toBe('ROUTE_NEAR_MISS')
    expect(body.detail).toContain('/p/{key}/ru/latest.json, without a trailing slash')
    expect(JSON.stringify(body)).not.toContain(key)
    expect(lines.join('\n')).not.toContain(key)
  })
})
