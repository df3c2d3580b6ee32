import { exports } from 'cloudflare:workers'
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'

const worker = (exports as { default: { fetch(input: string, init?: RequestInit): Promise<Response> } })
  .default

const BASE = 'https://feeds.silkfeed.test'

describe('the human pages in workerd, against s3rver', () => {
  it('writes Kazakh dates on the directory although workerd has no Kazakh ICU data', async () => {
    // The premise (LOCALES.md §2): this runtime's Intl cannot name a Kazakh month.
    const icu = new Intl.DateTimeFormat('kk', { month: 'long', timeZone: 'Asia/Almaty' }).format(
      Date.parse('2022-11-06T12:00:00Z'),
    )
    expect(icu).not.toBe('қараша')

    const res = await worker.fetch(`${BASE}/`, { headers: { 'accept-language': 'kk' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-language')).toBe('kk')
    expect(res.headers.get('vary')).toMatch(/Accept-Language/)
    const html = await res.text()
    expect(html).toContain('<html lang="kk">')
    expect(html).toContain('Silkfeed арналарының каталогы')
    expect(html).toMatch(/<time datetime="2022-11-06T13:12:00\+06:00">2022 ж\. 6 қараша, 13:12<\/time>/)
    expect(html).toContain('2022-yil 6-noyabr, 12:12')
    expect(html).toContain('6 ноября 2022 г., 10:12')
  })

  it('serves the directory gzip-coded exactly once, and a revalidation as 304', async () => {
    const plain = await worker.fetch(`${BASE}/?lang=uz-cyrl`, { headers: { 'accept-encoding': 'identity' } })
    const text = await plain.text()
    expect(text).toContain('<html lang="uz-Cyrl">')
    const etag = plain.headers.get('etag')!
    const again = await worker.fetch(`${BASE}/?lang=uz-cyrl`, {
      headers: { 'accept-encoding': 'identity', 'if-none-match': etag },
    })
    expect(again.status).toBe(304)
    const gzip = await worker.fetch(`${BASE}/?lang=uz-cyrl`, { headers: { 'accept-encoding': 'gzip' } })
    expect(gzip.headers.get('content-encoding')).toBe('gzip')
    // The runtime decodes the coding for an in-process caller: one decode must give the page back
    // (compressed twice, it would still be gzip bytes here).
    expect(await gzip.text()).toBe(text)
  })

  it('redirects /{feed}.{format} by Accept-Language and serves OPML', async () => {
    const redirect = await worker.fetch(`${BASE}/sco.atom`, {
      headers: { 'accept-language': 'uz-Cyrl, ru;q=0.5' },
      redirect: 'manual',
    })
    expect(redirect.status).toBe(302)
    expect(redirect.headers.get('location')).toBe('/uz-cyrl/sco.atom')
    expect(redirect.headers.get('vary')).toBe('Accept-Language')

    const opml = await worker.fetch(`${BASE}/zh-hant/feeds.opml`)
    expect(opml.status).toBe(200)
    expect(opml.headers.get('content-type')).toBe('text/x-opml; charset=utf-8')
    const doc = new XMLParser({ ignoreAttributes: false }).parse(await opml.text()).opml
    expect(doc['@_version']).toBe('2.0')
    const outlines = [doc.body.outline].flat() as Record<string, string>[]
    // The public feeds, the excerpt feed too; the partners-only wire is in no public list.
    expect(outlines.map((o) => o['@_xmlUrl'])).toEqual([
      `${BASE}/zh-hant/latest.rss`,
      `${BASE}/zh-hant/sco.rss`,
      `${BASE}/zh-hant/summaries.rss`,
    ])
    expect(outlines.find((o) => o['@_xmlUrl']?.endsWith('/summaries.rss'))?.['@_text']).toBe('Silkfeed：簡訊')
  })

  it('lists the public excerpt feed on the directory, and previews it', async () => {
    const html = await (await worker.fetch(`${BASE}/?lang=ru`)).text()
    expect(html).toContain(`href="${BASE}/ru/summaries.atom"`)
    expect(html).toContain('Silkfeed: коротко')
    expect(html).not.toContain('/ru/wire.')
    const preview = await worker.fetch(`${BASE}/ru/summaries`)
    expect(preview.status).toBe(200)
    expect(await preview.text()).toContain('Silkfeed: коротко')
  })

  it('previews a feed in Kazakh Latin', async () => {
    const res = await worker.fetch(`${BASE}/kk-latn/sco`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('<html lang="kk-Latn">')
    expect(html).toContain('2022 j. 6 qaraşa, 13:12')
  })
})
