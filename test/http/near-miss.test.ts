import { describe, expect, it } from 'vitest'
import { monthOf } from '../../src/domain/archive-months.ts'
import { sampleApp } from '../support/app.ts'

interface Problem {
  code: string
  status: number
  detail: string
  instance: string
}

async function problem(path: string, init: RequestInit = {}): Promise<{ res: Response; body: Problem }> {
  const { app } = await sampleApp()
  const res = await app.request(path, init)
  expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
  return { res, body: (await res.json()) as Problem }
}

describe('paths close to a sync or feed URL', () => {
  it.each([
    [
      '/ru/items/bad%20id.ninjs.json',
      400,
      'ITEM_ID_INVALID',
      ['“bad id” is not a story id', '/ru/items/{id}.ninjs.json'],
    ],
    ['/ru/items/a/b.ninjs.json', 400, 'ITEM_ID_INVALID', ['“a/b” is not a story id']],
    ['/ru/items/x.json', 404, 'ROUTE_NEAR_MISS', ['The item URL is /ru/items/{id}.ninjs.json']],
    ['/ru/items/', 404, 'ROUTE_NEAR_MISS', ['The item URL is /ru/items/{id}.ninjs.json', '/ru/changes']],
    ['/ru/', 404, 'ROUTE_NEAR_MISS', ['/ru/{feed}.{rss|atom|json}', '/ru/feeds.opml']],
    ['/ru/changes/', 404, 'ROUTE_NEAR_MISS', ['The address is /ru/changes, without a trailing slash']],
    ['/ru/latest.ninjs.json/', 404, 'ROUTE_NEAR_MISS', ['/ru/latest.ninjs.json, without a trailing slash']],
    ['/ru/items/x.ninjs.json/', 404, 'ROUTE_NEAR_MISS', ['/ru/items/x.ninjs.json, without a trailing slash']],
    ['/ru/latest.rss//', 404, 'ROUTE_NEAR_MISS', ['/ru/latest.rss, without a trailing slash']],
    ['/ru/latest/', 404, 'ROUTE_NEAR_MISS', ['/ru/latest, without a trailing slash']],
    ['/ru/latest/archive/', 404, 'ROUTE_NEAR_MISS', ['/ru/latest/archive/{YYYY-MM}.{rss|atom|json}']],
    ['/ru/latest/archive', 404, 'ROUTE_NEAR_MISS', ['/ru/latest/archive/{YYYY-MM}.{rss|atom|json}']],
    [
      '/ru/latest/archive/2026-11',
      404,
      'ROUTE_NEAR_MISS',
      [`/ru/latest/archive/${monthOf(Date.now())}.atom`],
    ],
    ['/ru/latest/archive/2026-13.atom', 400, 'ARCHIVE_MONTH_INVALID', ['“2026-13” is not a month']],
  ])('%s is a %i %s saying what the URL looks like', async (path, status, code, said) => {
    const { res, body } = await problem(path)
    expect(res.status).toBe(status)
    expect(body).toMatchObject({ status, code })
    for (const words of said) expect(body.detail).toContain(words)
  })

  it('says so in the client’s language, in every locale', async () => {
    const expected = {
      ru: 'без косой черты в конце',
      zh: '末尾不带斜杠',
      kk: 'соңында қиғаш сызықсыз',
      uz: 'oxirida qiya chiziqsiz',
      'uz-Cyrl': 'охирида қия чизиқсиз',
    }
    for (const [language, words] of Object.entries(expected)) {
      const { body } = await problem('/kk/changes/', { headers: { 'accept-language': language } })
      expect(body.detail, language).toContain('/kk/changes')
      expect(body.detail, language).toContain(words)
    }
    const { body } = await problem('/ru/items/bad%20id.ninjs.json', { headers: { 'accept-language': 'ru' } })
    expect(body.detail).toContain('«bad id» — не идентификатор материала')
  })

  it('answers a malformed id the same whatever the method', async () => {
    for (const method of ['HEAD', 'OPTIONS', 'PUT']) {
      const { app } = await sampleApp()
      const res = await app.request('/ru/items/bad%20id.ninjs.json', { method })
      expect(res.status, method).toBe(400)
    }
  })

  it.each([
    '/ru/sco/items',
    '/nothing/here/at/all',
    '/nothing/changes/',
    '/ru/changes/x',
    '/p/sf_x/ru/latest/archive/',
  ])('%s, near nothing, keeps the 404 that points to the feeds', async (path) => {
    const { res, body } = await problem(path)
    expect(res.status).toBe(404)
    expect(body.code).toBe('ROUTE_NOT_FOUND')
    expect(body.detail).toContain('Feeds are at /{locale}/{feed}.{rss|atom|json}')
  })

  it('quotes a partner’s path with its key taken out', async () => {
    const { body } = await problem('/p/sf_secret/ru/changes/')
    expect(JSON.stringify(body)).not.toContain('sf_secret')
  })
})
