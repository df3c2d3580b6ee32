import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import type { Locale } from '../../src/domain/locale.ts'
import { sampleApp } from '../support/app.ts'
import { EXPECTED_LANGUAGE_TAG as TAG } from '../conformance/sample-feeds.ts'
import { readRfc822 } from '../conformance/rfc822.ts'
import { attrOf, findAll, parseMarkup, textOf, xmllintProblems, type Node } from '../support/html.ts'
import { postRepublish } from '../support/webhook.ts'

type App = Awaited<ReturnType<typeof sampleApp>>['app']

// Written out rather than imported, so a wrong table in src/ cannot make its own test pass.
const LOCALE_CODES: Locale[] = ['zh', 'ru', 'kk', 'uz', 'uz-cyrl', 'kk-latn', 'zh-hant']
const FEEDS = ['latest', 'sco', 'summaries'] // the public ones (wire is for partners only)
const TYPES = { rss: 'application/rss+xml', atom: 'application/atom+xml', json: 'application/feed+json' }
const BASE = 'https://feeds.silkfeed.test'

const DIRECTORY_TITLE: Partial<Record<Locale, string>> = {
  zh: 'Silkfeed 订阅源目录',
  ru: 'Каталог лент Silkfeed',
  kk: 'Silkfeed арналарының каталогы',
  uz: 'Silkfeed lentalari katalogi',
  'uz-cyrl': 'Silkfeed ленталари каталоги',
}

interface JsonFeed {
  title: string
  description: string
  items: { title: string; url: string; date_published: string }[]
}

async function jsonFeed(app: App, locale: Locale, feed: string): Promise<JsonFeed> {
  return (await (await app.request(`/${locale}/${feed}.json`)).json()) as JsonFeed
}

async function page(app: App, path: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, { headers })
  const text = await res.text()
  return { res, text, doc: parseMarkup(text) }
}

const html = (doc: Node) => doc.html as Node
const head = (doc: Node) => html(doc).head as Node
const body = (doc: Node) => html(doc).body as Node

describe('GET / (the directory)', () => {
  it.each([
    ['kk', 'kk', 'kk'],
    ['uz-Cyrl,ru;q=0.5', 'uz-cyrl', 'uz-Cyrl'],
    ['ru-RU,ru;q=0.9,en;q=0.8', 'ru', 'ru'],
    ['en-US, fr;q=0.5', 'zh', 'zh-Hans'],
  ] as const)(
    'answers Accept-Language %j with the page in %s, varying on Accept-Language',
    async (accept, locale, tag) => {
      const { app } = await sampleApp()
      const { res, doc } = await page(app, '/', { 'accept-language': accept })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(res.headers.get('content-language')).toBe(tag)
      expect(res.headers.get('vary')).toMatch(/Accept-Language/)
      expect(attrOf(html(doc), 'lang')).toBe(tag)
      expect(textOf(head(doc).title)).toBe(DIRECTORY_TITLE[locale])
      expect(textOf(body(doc).header && (body(doc).header as Node).h1)).toBe(DIRECTORY_TITLE[locale])
    },
  )

  it('defaults to Chinese without Accept-Language', async () => {
    const { app } = await sampleApp()
    const { doc } = await page(app, '/')
    expect(attrOf(html(doc), 'lang')).toBe('zh-Hans')
  })

  it('switches language with ?lang= links for every locale, each named in its own language', async () => {
    const { app } = await sampleApp()
    const { res, doc } = await page(app, '/?lang=uz', { 'accept-language': 'kk' })
    expect(attrOf(html(doc), 'lang')).toBe('uz-Latn')
    expect(res.headers.get('vary')).not.toMatch(/Accept-Language/)
    const nav = findAll(body(doc), 'nav')[0]
    const links = findAll(nav, 'a')
    expect(links.map((a) => attrOf(a, 'href'))).toEqual(LOCALE_CODES.map((l) => `/?lang=${l}`))
    expect(links.map((a) => attrOf(a, 'lang'))).toEqual(LOCALE_CODES.map((l) => TAG[l]))
    expect(links.map(textOf)).toEqual([
      '简体中文',
      'Русский',
      'Қазақша',
      'Oʻzbekcha',
      'Ўзбекча',
      'Qazaqşa',
      '繁體中文',
    ])
    expect(links.filter((a) => attrOf(a, 'aria-current') === 'page').map(textOf)).toEqual(['Oʻzbekcha'])
    for (const locale of LOCALE_CODES) {
      const other = await page(app, `/?lang=${locale}`)
      expect(attrOf(html(other.doc), 'lang')).toBe(TAG[locale])
    }
  })

  it('answers an unknown ?lang= with a problem naming the locales', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/?lang=fr')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    const problem = (await res.json()) as { code: string; detail: string }
    expect(problem.code).toBe('LOCALE_NOT_FOUND')
    expect(problem.detail).toContain('zh, ru, kk, uz, uz-cyrl, kk-latn, zh-hant')
  })

  it("lists every feed per locale with its title, description, the feed's newest headlines and subscribe links", async () => {
    const { app } = await sampleApp()
    const { doc } = await page(app, '/?lang=ru')
    const sections = findAll(body(doc), 'section')
    // The visitor's locale first, then the others.
    expect(sections.map((s) => attrOf(s, 'id'))).toEqual([
      'ru',
      'zh',
      'kk',
      'uz',
      'uz-cyrl',
      'kk-latn',
      'zh-hant',
    ])
    for (const section of sections) {
      const locale = attrOf(section, 'id') as Locale
      const cards = findAll(section, 'article')
      expect(cards).toHaveLength(FEEDS.length)
      for (const [i, feedId] of FEEDS.entries()) {
        const card = cards[i] as Node
        const feed = await jsonFeed(app, locale, feedId)
        expect(textOf(card.h3)).toBe(feed.title)
        expect(textOf((card.p as unknown[])[0])).toBe(feed.description)
        // Feed text carries its own language where it differs from the page's.
        expect(attrOf(card.h3, 'lang')).toBe(locale === 'ru' ? undefined : TAG[locale])
        const headlines = findAll(findAll(card, 'ol'), 'li')
        expect(headlines.length).toBe(3)
        expect(headlines.map((li) => textOf(findAll(li, 'a')[0]))).toEqual(
          feed.items.slice(0, 3).map((i) => i.title),
        )
        expect(headlines.map((li) => attrOf(findAll(li, 'a')[0], 'href'))).toEqual(
          feed.items.slice(0, 3).map((i) => i.url),
        )
        expect(headlines.map((li) => attrOf(findAll(li, 'time')[0], 'datetime'))).toEqual(
          feed.items.slice(0, 3).map((i) => i.date_published),
        )
        const subscribe = findAll(findAll(card, 'ul'), 'a')
        expect(subscribe.map((a) => [attrOf(a, 'href'), attrOf(a, 'type'), textOf(a)])).toEqual([
          [`/${locale}/${feedId}.rss`, TYPES.rss, 'RSS 2.0'],
          [`/${locale}/${feedId}.atom`, TYPES.atom, 'Atom 1.0'],
          [`/${locale}/${feedId}.json`, TYPES.json, 'JSON Feed 1.1'],
        ])
        expect(findAll(card, 'a').map((a) => attrOf(a, 'href'))).toContain(`/${locale}/${feedId}`)
      }
    }
  })

  it('writes dates as each language does, in the newsroom time zone, without ICU', async () => {
    const { app } = await sampleApp()
    const { doc } = await page(app, '/?lang=kk')
    const timesIn = (locale: string) =>
      findAll(
        findAll(body(doc), 'section').find((s) => attrOf(s, 'id') === locale),
        'time',
      ).map(textOf)
    // The roadshow overview: 2022-11-06T15:12:00+08:00.
    expect(timesIn('zh')).toContain('2022年11月6日 15:12')
    expect(timesIn('ru')).toContain('6 ноября 2022 г., 10:12')
    expect(timesIn('kk')).toContain('2022 ж. 6 қараша, 13:12')
    expect(timesIn('kk-latn')).toContain('2022 j. 6 qaraşa, 13:12')
    expect(timesIn('uz')).toContain('2022-yil 6-noyabr, 12:12')
    expect(timesIn('uz-cyrl')).toContain('2022-йил 6-ноябр, 12:12')
    expect(timesIn('zh-hant')).toContain('2022年11月6日 15:12')
  })

  it('carries autodiscovery links for every feed in every locale and format', async () => {
    const { app } = await sampleApp()
    const { doc } = await page(app, '/?lang=kk')
    const feeds = findAll(head(doc), 'link').filter(
      (l) => attrOf(l, 'rel') === 'alternate' && attrOf(l, 'type'),
    )
    const expected = LOCALE_CODES.flatMap((locale) =>
      FEEDS.flatMap((feed) =>
        (['rss', 'atom', 'json'] as const).map((format) => ({
          href: `${BASE}/${locale}/${feed}.${format}`,
          type: TYPES[format],
          hreflang: TAG[locale],
        })),
      ),
    )
    expect(
      feeds.map((l) => ({
        href: attrOf(l, 'href'),
        type: attrOf(l, 'type'),
        hreflang: attrOf(l, 'hreflang'),
      })),
    ).toEqual(expect.arrayContaining(expected))
    expect(feeds).toHaveLength(expected.length)
    for (const link of feeds)
      expect(attrOf(link, 'title')).toMatch(/Silkfeed.+(RSS 2\.0|Atom 1\.0|JSON Feed 1\.1)/)
    // Each points at a feed that exists, in the type it announces.
    for (const link of feeds.slice(0, 6)) {
      const res = await app.request(attrOf(link, 'href')!.slice(BASE.length))
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe(`${attrOf(link, 'type')}; charset=utf-8`)
    }
  })

  it('is well-formed HTML, and XML too, with charset, viewport, a title and no script', async () => {
    const { app } = await sampleApp()
    for (const lang of LOCALE_CODES) {
      const { text, doc } = await page(app, `/?lang=${lang}`)
      expect(text.startsWith('<!DOCTYPE html>\n')).toBe(true)
      expect(await xmllintProblems(text, 'html'), lang).toEqual([])
      expect(await xmllintProblems(text, 'xml'), lang).toEqual([])
      expect(attrOf(head(doc).meta && findAll(head(doc), 'meta')[0], 'charset')).toBe('utf-8')
      expect(findAll(head(doc), 'meta').map((m) => attrOf(m, 'name'))).toContain('viewport')
      expect(text).not.toMatch(/<script/i)
      expect(Buffer.byteLength(text)).toBeLessThan(64 * 1024)
    }
  })

  it('escapes what editors send: a title with markup shows as text, and no script may run', async () => {
    const { app } = await sampleApp()
    const hostile: Article = {
      id: 'hostile-title',
      locale: 'kk',
      title: '<script>alert("x")</script> & <img src=x onerror=alert(1)> «тест»',
      summary: '</p><a href="javascript:alert(1)">click</a>',
      url: 'https://news.silkfeed.dev/kk/2030/01/01/hostile',
      publishedAt: '2030-01-01T10:00:00+05:00',
      sections: ['sco'],
    }
    expect((await postRepublish(app, { upsert: [hostile] })).status).toBe(200)
    const directory = await page(app, '/?lang=kk')
    expect(directory.res.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
    const preview = await page(app, '/kk/sco')
    for (const { text, doc } of [directory, preview]) {
      expect(text).not.toMatch(/<script|<img|<a href="javascript/i)
      expect(text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img')
      expect(findAll(body(doc), 'a').map(textOf)).toContain(hostile.title)
      expect(await xmllintProblems(text, 'xml')).toEqual([])
    }
    expect(findAll(preview.doc, 'p').map(textOf)).toContain(hostile.summary)
  })

  it('is rendered once per content version: same ETag and no storage request, 304, then new content after a republish', async () => {
    const { app, store } = await sampleApp()
    const first = await app.request('/', { headers: { 'accept-language': 'kk' } })
    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/)
    expect(Date.parse(first.headers.get('last-modified')!)).toBeLessThan(Date.parse('2023-01-01T00:00:00Z'))
    expect(first.headers.get('cache-control')).toBe(
      'public, max-age=300, stale-while-revalidate=600, stale-if-error=86400',
    )
    const before = store.requests
    const again = await app.request('/', { headers: { 'accept-language': 'kk' } })
    expect(store.requests - before).toBe(0)
    expect(again.headers.get('etag')).toBe(etag)
    expect(await again.text()).toBe(await first.text())

    const notModified = await app.request('/', {
      headers: { 'accept-language': 'kk', 'if-none-match': `W/${etag}` },
    })
    expect(notModified.status).toBe(304)
    expect(await notModified.text()).toBe('')
    for (const name of ['etag', 'last-modified', 'cache-control', 'vary']) {
      expect(notModified.headers.get(name)).toBe(first.headers.get(name))
    }
    // RFC 9110 §15.4.5: no metadata of a body the 304 does not send.
    for (const name of ['content-type', 'content-language', 'content-encoding', 'content-length']) {
      expect(notModified.headers.get(name), name).toBeNull()
    }
    const since = await app.request('/', {
      headers: { 'accept-language': 'kk', 'if-modified-since': first.headers.get('last-modified')! },
    })
    expect(since.status).toBe(304)

    const story: Article = {
      id: 'fresh-story',
      locale: 'kk',
      title: 'Жаңа мақала: Алматыда жаңа келісім',
      url: 'https://news.silkfeed.dev/kk/2030/03/05/fresh',
      publishedAt: '2030-03-05T09:00:00+05:00',
      sections: ['sco'],
    }
    expect((await postRepublish(app, { upsert: [story] })).status).toBe(200)
    const after = await page(app, '/', { 'accept-language': 'kk', 'if-none-match': etag })
    expect(after.res.status).toBe(200)
    expect(after.res.headers.get('etag')).not.toBe(etag)
    expect(after.text).toContain(story.title)
    expect(after.text).toContain('2030 ж. 5 наурыз, 09:00')
  })

  it('is gzip- or brotli-coded when asked, the same page underneath', async () => {
    const { app } = await sampleApp()
    const plain = await app.request('/?lang=zh', { headers: { 'accept-encoding': 'identity' } })
    const gzip = await app.request('/?lang=zh', { headers: { 'accept-encoding': 'gzip' } })
    expect(gzip.headers.get('content-encoding')).toBe('gzip')
    expect(gzip.headers.get('etag')).not.toBe(plain.headers.get('etag'))
    expect(gunzipSync(new Uint8Array(await gzip.arrayBuffer())).toString('utf8')).toBe(await plain.text())
    const br = await app.request('/?lang=zh', { headers: { 'accept-encoding': 'br, gzip' } })
    expect(br.headers.get('content-encoding')).toBe('br')
  })

  it('answers HEAD without a body', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/', { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await res.text()).toBe('')
  })
})

describe('GET /{locale}/{feed} (a feed preview)', () => {
  it('shows every item of the feed in its language, with subscribe and autodiscovery links', async () => {
    const { app } = await sampleApp()
    const { res, text, doc } = await page(app, '/uz-cyrl/sco', { 'accept-language': 'zh' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-language')).toBe('uz-Cyrl')
    expect(res.headers.get('vary')).not.toMatch(/Accept-Language/)
    expect(attrOf(html(doc), 'lang')).toBe('uz-Cyrl')
    const feed = await jsonFeed(app, 'uz-cyrl', 'sco')
    expect(textOf((body(doc).header as Node).h1)).toBe(feed.title)
    const items = findAll(findAll(body(doc), 'ol'), 'li')
    expect(items.map((li) => textOf(findAll(li, 'a')[0]))).toEqual(feed.items.map((i) => i.title))
    expect(items.map((li) => attrOf(findAll(li, 'time')[0], 'datetime'))).toEqual(
      feed.items.map((i) => i.date_published),
    )
    expect(findAll(findAll(body(doc), 'ul')[0], 'a').map((a) => attrOf(a, 'href'))).toEqual([
      '/uz-cyrl/sco.rss',
      '/uz-cyrl/sco.atom',
      '/uz-cyrl/sco.json',
    ])
    const discovery = findAll(head(doc), 'link').filter((l) => attrOf(l, 'type'))
    expect(discovery.map((l) => attrOf(l, 'href'))).toEqual([
      `${BASE}/uz-cyrl/sco.rss`,
      `${BASE}/uz-cyrl/sco.atom`,
      `${BASE}/uz-cyrl/sco.json`,
    ])
    expect(new Set(discovery.map((l) => attrOf(l, 'hreflang')))).toEqual(new Set(['uz-Cyrl']))
    // The same feed in the other locales, and the way back to the directory in this language.
    const hrefs = findAll(body(doc), 'a').map((a) => attrOf(a, 'href'))
    for (const locale of LOCALE_CODES) expect(hrefs).toContain(`/${locale}/sco`)
    expect(hrefs).toContain('/?lang=uz-cyrl')
    expect(text).toContain('Барча ленталар')
    expect(await xmllintProblems(text, 'html')).toEqual([])
    expect(await xmllintProblems(text, 'xml')).toEqual([])
  })

  it('answers a revalidation with 304', async () => {
    const { app } = await sampleApp()
    const first = await app.request('/zh/latest')
    const res = await app.request('/zh/latest', { headers: { 'if-none-match': first.headers.get('etag')! } })
    expect(res.status).toBe(304)
    expect(res.headers.get('etag')).toBe(first.headers.get('etag'))
  })

  it.each([
    ['/fr/sco', 'LOCALE_NOT_FOUND', 'zh, ru, kk, uz'],
    ['/ru/sports', 'FEED_NOT_FOUND', 'latest, sco'],
    ['/ru/sco/items', 'ROUTE_NOT_FOUND', '/ru/sco/items'],
  ])('%s is a 404 problem (%s) naming what exists', async (path, code, named) => {
    const { app } = await sampleApp()
    const res = await app.request(path)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    const problem = (await res.json()) as { code: string; detail: string }
    expect(problem.code).toBe(code)
    expect(problem.detail).toContain(named)
  })
})

describe('OPML 2.0', () => {
  function outlinesOf(doc: Node) {
    return findAll(doc, 'outline').filter((o) => attrOf(o, 'type') === 'rss')
  }

  it('/{locale}/feeds.opml lists the locale’s feeds and parses back', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/kk/feeds.opml')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/x-opml; charset=utf-8')
    const text = await res.text()
    expect(await xmllintProblems(text, 'xml')).toEqual([])
    const opml = parseMarkup(text).opml as Node
    expect(attrOf(opml, 'version')).toBe('2.0')
    const opmlHead = opml.head as Node
    expect(textOf(opmlHead.title)).toBe('Silkfeed арналары: Қазақ тілі (кирилл)')
    for (const field of ['dateCreated', 'dateModified']) {
      expect(readRfc822(textOf(opmlHead[field]))).toHaveProperty('instant')
    }
    const outlines = outlinesOf(opml)
    expect(outlines).toHaveLength(FEEDS.length)
    for (const [i, feedId] of FEEDS.entries()) {
      const outline = outlines[i]
      const feed = await jsonFeed(app, 'kk', feedId)
      expect(attrOf(outline, 'text')).toBe(feed.title)
      expect(attrOf(outline, 'title')).toBe(feed.title)
      expect(attrOf(outline, 'xmlUrl')).toBe(`${BASE}/kk/${feedId}.rss`)
      expect(attrOf(outline, 'htmlUrl')).toBe(`${BASE}/kk/${feedId}`)
      expect(attrOf(outline, 'language')).toBe('kk')
      const rss = await app.request(attrOf(outline, 'xmlUrl')!.slice(BASE.length))
      expect(rss.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8')
      const preview = await app.request(attrOf(outline, 'htmlUrl')!.slice(BASE.length))
      expect(preview.headers.get('content-type')).toBe('text/html; charset=utf-8')
    }
  })

  it('/feeds.opml lists every feed in every locale, grouped by locale', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/feeds.opml', { headers: { 'accept-language': 'ru' } })
    expect(res.headers.get('vary')).toMatch(/Accept-Language/)
    const text = await res.text()
    expect(await xmllintProblems(text, 'xml')).toEqual([])
    const opml = parseMarkup(text).opml as Node
    expect(textOf((opml.head as Node).title)).toBe('Ленты Silkfeed: все языки')
    const groups = findAll(opml.body, 'outline').filter((o) => attrOf(o, 'type') === undefined)
    expect(groups.map((g) => attrOf(g, 'text'))).toEqual([
      'Китайский (упрощённое письмо)',
      'Русский',
      'Казахский (кириллица)',
      'Узбекский (латиница)',
      'Узбекский (кириллица)',
      'Казахский (латиница)',
      'Китайский (традиционное письмо)',
    ])
    const urls = outlinesOf(opml).map((o) => attrOf(o, 'xmlUrl'))
    expect(urls).toEqual(LOCALE_CODES.flatMap((l) => FEEDS.map((f) => `${BASE}/${l}/${f}.rss`)))
    expect(outlinesOf(opml).map((o) => attrOf(o, 'language'))).toContain('uz-Cyrl')
  })

  it('answers a revalidation with 304 and an unknown locale with a problem', async () => {
    const { app } = await sampleApp()
    const first = await app.request('/zh/feeds.opml')
    expect(first.status).toBe(200)
    const again = await app.request('/zh/feeds.opml', {
      headers: { 'if-none-match': first.headers.get('etag')! },
    })
    expect(again.status).toBe(304)
    const missing = await app.request('/fr/feeds.opml')
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { code: string }).code).toBe('LOCALE_NOT_FOUND')
  })
})

describe('GET /{feed}.{format} (the language redirect)', () => {
  it.each([
    ['uz-Cyrl', '/sco.rss', '/uz-cyrl/sco.rss'],
    ['kk;q=0.4, ru;q=0.9', '/latest.atom', '/ru/latest.atom'],
    ['zh-TW,zh;q=0.8', '/sco.json', '/zh-hant/sco.json'],
    ['kk-Latn', '/latest.rss', '/kk-latn/latest.rss'],
    ['de, *;q=0.1', '/sco.atom', '/zh/sco.atom'],
    ['', '/sco.rss', '/zh/sco.rss'],
  ])('sends Accept-Language %j from %s to %s', async (accept, path, location) => {
    const { app } = await sampleApp()
    const res = await app.request(path, { headers: accept ? { 'accept-language': accept } : {} })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(location)
    expect(res.headers.get('vary')).toBe('Accept-Language')
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/)
    const feed = await app.request(res.headers.get('location')!)
    expect(feed.status).toBe(200)
  })

  it('answers an unknown feed with a problem naming the feeds, and leaves /openapi.json alone', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/sports.rss')
    expect(res.status).toBe(404)
    const problem = (await res.json()) as { code: string; detail: string }
    expect(problem.code).toBe('FEED_NOT_FOUND')
    expect(problem.detail).toContain('latest, sco')
    expect((await app.request('/sco.xml')).status).toBe(404)
    const openapi = await app.request('/openapi.json')
    expect(openapi.status).toBe(200)
    expect(((await openapi.json()) as { openapi: string }).openapi).toBe('3.1.0')
  })
})
