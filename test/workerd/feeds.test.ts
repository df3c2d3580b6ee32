import { exports } from 'cloudflare:workers'
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'

const worker = (exports as { default: { fetch(input: string, init?: RequestInit): Promise<Response> } })
  .default

describe('the Worker in workerd, against s3rver', () => {
  it('serves the Kazakh SCO Atom feed rendered from the articles in storage', async () => {
    const res = await worker.fetch('https://feeds.silkfeed.test/kk/sco.atom')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8')
    expect(res.headers.get('content-language')).toBe('kk')
    const feed = new XMLParser({ ignoreAttributes: false }).parse(await res.text()).feed
    expect(feed['@_xml:lang']).toBe('kk')
    const entries = [feed.entry].flat()
    expect(entries.length).toBeGreaterThanOrEqual(4)
    for (const entry of entries) expect(entry.id).toMatch(/^tag:silkfeed\.dev,2026:article\/.+\/kk$/)
  })

  it('gives the same bytes to a second request and answers a revalidation with 304', async () => {
    const first = await worker.fetch('https://feeds.silkfeed.test/uz/latest.json')
    const body = await first.text()
    expect(JSON.parse(body).language).toBe('uz-Latn')
    const etag = first.headers.get('etag')!
    const second = await worker.fetch('https://feeds.silkfeed.test/uz/latest.json', {
      headers: { 'if-none-match': `W/${etag}` },
    })
    expect(second.status).toBe(304)
    expect(second.headers.get('etag')).toBe(etag)
  })

  it('sends a 304 with the cache headers of the 200 and none of its body headers (RFC 9110 §15.4.5)', async () => {
    const url = 'https://feeds.silkfeed.test/ru/sco.atom'
    const ok = await worker.fetch(url, { headers: { 'accept-encoding': 'gzip' } })
    await ok.arrayBuffer()
    const conditions: Record<string, string>[] = [
      { 'if-none-match': ok.headers.get('etag')! },
      { 'if-modified-since': ok.headers.get('last-modified')! },
    ]
    for (const condition of conditions) {
      const res = await worker.fetch(url, { headers: { 'accept-encoding': 'gzip', ...condition } })
      expect(res.status).toBe(304)
      for (const name of ['etag', 'cache-control', 'last-modified', 'vary']) {
        expect(res.headers.get(name), name).toBe(ok.headers.get(name))
      }
      for (const name of ['content-type', 'content-encoding', 'content-length', 'content-language']) {
        expect(res.headers.get(name), name).toBeNull()
      }
    }
  })

  it('ignores an If-Modified-Since that is not an HTTP-date', async () => {
    const url = 'https://feeds.silkfeed.test/ru/sco.json'
    await (await worker.fetch(url)).arrayBuffer()
    const res = await worker.fetch(url, { headers: { 'if-modified-since': '2030' } })
    expect(res.status).toBe(200)
  })

  it('answers unsupported methods with 405 and Allow, and a CORS preflight with 204', async () => {
    const url = 'https://feeds.silkfeed.test/kk/sco.rss'
    const deleted = await worker.fetch(url, { method: 'DELETE' })
    expect(deleted.status).toBe(405)
    expect(deleted.headers.get('allow')).toBe('GET, HEAD, OPTIONS')
    const preflight = await worker.fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://reader.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'if-none-match',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD')
  })

  it('writes RSS dates in English with the Almaty offset, as on Node', async () => {
    const res = await worker.fetch('https://feeds.silkfeed.test/kk/sco.rss')
    const xml = await res.text()
    expect(xml).toMatch(
      /<pubDate>(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Oct|Nov) 2022 \d\d:\d\d:\d\d \+0600<\/pubDate>/,
    )
  })

  it('answers an unknown locale with a problem document naming the locales that exist', async () => {
    const res = await worker.fetch('https://feeds.silkfeed.test/fr/sco.rss')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    const problem = (await res.json()) as { code: string; detail: string }
    expect(problem.code).toBe('LOCALE_NOT_FOUND')
    expect(problem.detail).toContain('zh, ru, kk, uz')
  })

  it('serves the derived script variants, marked as derived, with per-item translation links', async () => {
    for (const [locale, tag, from] of [
      ['uz-cyrl', 'uz-Cyrl', 'uz-Latn'],
      ['kk-latn', 'kk-Latn', 'kk'],
      ['zh-hant', 'zh-Hant-TW', 'zh-Hans'],
    ] as const) {
      const res = await worker.fetch(`https://feeds.silkfeed.test/${locale}/sco.json`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-language')).toBe(tag)
      const feed = (await res.json()) as {
        language: string
        items: { _silkfeed: { derived_from?: string; translations: { language: string }[] } }[]
      }
      expect(feed.language).toBe(tag)
      expect(feed.items.length).toBeGreaterThanOrEqual(4)
      for (const item of feed.items) {
        expect(item._silkfeed.derived_from).toBe(from)
        expect(item._silkfeed.translations.map((t) => t.language)).toContain(from)
      }
    }
  })

  it('has ICU data for the zh-Hant-TW tag: the Traditional forms of LOCALES.md §2, Taiwan plurals', () => {
    const format = new Intl.DateTimeFormat('zh-Hant-TW', {
      dateStyle: 'full',
      timeStyle: 'long',
      timeZone: 'Asia/Taipei',
    })
    expect(format.resolvedOptions().locale).toBe('zh-Hant-TW')
    expect(format.format(Date.parse('2022-11-06T15:12:00+08:00'))).toBe(
      '2022年11月6日 星期日 下午3:12:00 [GMT+8]',
    )
    expect(new Intl.PluralRules('zh-Hant-TW').resolvedOptions().pluralCategories).toEqual(['other'])
  })
})
