import { describe, expect, it } from 'vitest'
import { LOCALES } from '../../src/domain/locale.ts'
import { sampleApp } from '../support/app.ts'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../support/samples.ts'

// The one serving pipeline (src/http/serve-representations.ts): every stored representation the URL
// scheme names, answered alike whatever the method, the conditions or the cache state.

const FEED = '/ru/sco.rss'
const KNOWN = [FEED, '/kk/latest.json', '/ru/sco', '/uz/feeds.opml', '/feeds.opml', '/', '/sco.atom']

describe('methods a representation does not support', () => {
  it.each(['DELETE', 'PUT', 'PATCH', 'POST'])(
    'answers %s on a feed or page URL with 405 and Allow',
    async (method) => {
      const { app } = await sampleApp()
      for (const path of KNOWN) {
        const res = await app.request(path, { method })
        expect(res.status, `${method} ${path}`).toBe(405)
        expect(res.headers.get('allow'), path).toBe('GET, HEAD, OPTIONS')
        expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
        expect(((await res.json()) as { detail: string }).detail).toContain(method)
      }
    },
  )

  it('answers them with 404 naming what exists when the resource does not exist', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/ru/nope.rss', { method: 'DELETE' })
    expect(res.status).toBe(404)
    expect(((await res.json()) as { code: string }).code).toBe('FEED_NOT_FOUND')
  })

  it('answers 405 with Allow on the fixed routes too', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/healthz', { method: 'DELETE' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS')
  })
})

describe('CORS preflight', () => {
  const preflight = {
    method: 'OPTIONS',
    headers: {
      origin: 'https://reader.example',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'if-none-match',
    },
  }

  it('lets a reader on another origin poll a feed conditionally', async () => {
    const { app } = await sampleApp()
    const res = await app.request(FEED, preflight)
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, HEAD')
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('if-none-match')
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0)
    const feed = await app.request(FEED, { headers: { origin: 'https://reader.example' } })
    const exposed = feed.headers.get('access-control-expose-headers')!.toLowerCase()
    for (const name of ['etag', 'last-modified']) expect(exposed).toContain(name)
  })

  it('answers a plain OPTIONS with Allow, and grants no CORS on the HTML pages', async () => {
    const { app } = await sampleApp()
    const plain = await app.request(FEED, { method: 'OPTIONS' })
    expect(plain.status).toBe(204)
    expect(plain.headers.get('allow')).toBe('GET, HEAD, OPTIONS')
    const page = await app.request('/ru/sco', preflight)
    expect(page.status).toBe(204)
    expect(page.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('If-Modified-Since', () => {
  it.each([
    '2030',
    '9999',
    '2026-12-05',
    'Sat, 05 Dec 2099 08:00:00 UTC',
    'Thu, 31 Feb 2030 00:00:00 GMT',
    'soon',
  ])('ignores %j, which is not an HTTP-date, and sends the feed', async (since) => {
    const { app } = await sampleApp()
    await app.request(FEED)
    const res = await app.request(FEED, { headers: { 'if-modified-since': since } })
    expect(res.status).toBe(200)
  })

  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 2050 08:49:37 GMT'],
    ['RFC 850', 'Sunday, 06-Nov-50 08:49:37 GMT'],
    ['asctime', 'Sun Nov  6 08:49:37 2050'],
  ])('reads the %s form', async (_, since) => {
    const { app } = await sampleApp()
    await app.request(FEED)
    expect((await app.request(FEED, { headers: { 'if-modified-since': since } })).status).toBe(304)
  })
})

describe('problem documents', () => {
  it.each(LOCALES)('are written in %s when Accept-Language asks for it', async (locale) => {
    const { app } = await sampleApp()
    const res = await app.request(FEED, { method: 'DELETE', headers: { 'accept-language': locale } })
    const texts = JSON.parse(readFileSync(join(ROOT, 'locales', locale, 'problems.json'), 'utf8')) as Record<
      string,
      { title: string }
    >
    expect(((await res.json()) as { title: string }).title).toBe(texts.METHOD_NOT_ALLOWED!.title)
  })
})
