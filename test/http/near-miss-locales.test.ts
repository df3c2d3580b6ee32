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
}

const LOCALES = 'zh, ru, kk, uz, uz-cyrl, kk-latn, zh-hant'

async function problem(path: string, init: RequestInit = {}): Promise<{ res: Response; body: Problem }> {
  const { app } = await sampleApp()
  const res = await app.request(path, init)
  expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
  return { res, body: (await res.json()) as Problem }
}

describe('a locale written another way', () => {
  it.each([
    ['/RU/latest.rss', 'RU', ['is written ru', 'The address is /ru/latest.rss.']],
    ['/zh-Hant/latest.atom', 'zh-Hant', ['is written zh-hant', 'The address is /zh-hant/latest.atom.']],
    ['/zh_hant/latest.json', 'zh_hant', ['The address is /zh-hant/latest.json.']],
    ['/zh-TW/latest.rss', 'zh-TW', ['The address is /zh-hant/latest.rss.']],
    ['/uz-latn/latest.rss', 'uz-latn', ['is written uz', 'The address is /uz/latest.rss.']],
    ['/uz-Latn/latest.rss', 'uz-Latn', ['The address is /uz/latest.rss.']],
    ['/uz-Cyrl/latest.rss', 'uz-Cyrl', ['The address is /uz-cyrl/latest.rss.']],
    ['/kk-Cyrl/latest.rss', 'kk-Cyrl', ['is written kk', 'The address is /kk/latest.rss.']],
    ['/RU/changes', 'RU', ['The address is /ru/changes.']],
    ['/RU/latest', 'RU', ['The address is /ru/latest.']],
    ['/RU/feeds.opml', 'RU', ['The address is /ru/feeds.opml.']],
    ['/RU/items/x.ninjs.json', 'RU', ['The address is /ru/items/x.ninjs.json.']],
    ['/RU/latest/archive/2022-10.atom', 'RU', ['The address is /ru/latest/archive/2022-10.atom.']],
    ['/RU/changes/', 'RU', ['The address is /ru/changes, without a trailing slash.']],
    ['/RU/items/x.json', 'RU', ['The item URL is /ru/items/{id}.ninjs.json']],
    ['/RU/', 'RU', ['/ru/{feed}.{rss|atom|json}', '/ru/feeds.opml']],
    ['/p/sf_secret/RU/changes/', 'RU', ['The address is /p/{key}/ru/changes, without a trailing slash.']],
  ])('%s is a 404 LOCALE_NEAR_MISS naming the locale meant and its URL', async (path, sent, said) => {
    const { res, body } = await problem(path)
    expect(res.status).toBe(404)
    expect(body).toMatchObject({ status: 404, code: 'LOCALE_NEAR_MISS' })
    expect(body.detail).toContain(`There is no locale “${sent}”`)
    expect(body.detail).toContain(LOCALES)
    for (const words of said) expect(body.detail).toContain(words)
    expect(JSON.stringify(body)).not.toContain('sf_secret')
  })

  it('is answered so to OPTIONS and HEAD too', async () => {
    for (const method of ['OPTIONS', 'HEAD']) {
      const { app } = await sampleApp()
      const res = await app.request('/RU/latest.rss', { method })
      expect(res.status, method).toBe(404)
      if (method === 'OPTIONS') expect(((await res.json()) as Problem).code).toBe('LOCALE_NEAR_MISS')
    }
  })

  it('names the keyed URL to a partner, the key left out', async () => {
    const store = new MemoryObjectStore()
    await storeArticles(store, loadSamples())
    const app = appOver(store, {}, undefined, {}, undefined, { adminSecrets: [ADMIN_SECRET] })
    const { key } = await createPartner(app, { name: 'Reader' })
    const res = await app.request(`/p/${key}/RU/latest.rss`)
    expect(res.status).toBe(404)
    const body = (await res.json()) as Problem
    expect(body.code).toBe('LOCALE_NEAR_MISS')
    expect(body.detail).toContain('The address is /p/{key}/ru/latest.rss.')
    expect(JSON.stringify(body)).not.toContain(key)
  })

  it.each([
    ['zh', '不存在语言版本“zh-Hant”：应写作 zh-hant', '正确的地址是 /zh-hant/latest.atom。'],
    ['ru', 'Локали «zh-Hant» нет: она пишется как zh-hant', 'Правильный адрес — /zh-hant/latest.atom.'],
    ['kk', '«zh-Hant» тіл нұсқасы жоқ: ол zh-hant деп жазылады', 'Дұрыс мекенжай — /zh-hant/latest.atom.'],
    ['uz', '“zh-Hant” til versiyasi yoʻq: u zh-hant deb yoziladi', 'Toʻgʻri manzil — /zh-hant/latest.atom.'],
  ])('says so in %s when Accept-Language asks for it', async (language, sent, address) => {
    const { res, body } = await problem('/zh-Hant/latest.atom', { headers: { 'accept-language': language } })
    expect(res.status).toBe(404)
    expect(body.code).toBe('LOCALE_NEAR_MISS')
    expect(body.detail).toContain(sent)
    expect(body.detail).toContain(address)
    expect(body.detail).toContain(LOCALES)
    const slash = await problem('/RU/changes/', { headers: { 'accept-language': language } })
    expect(slash.body.code).toBe('LOCALE_NEAR_MISS')
    expect(slash.body.detail).toContain('/ru/changes')
    expect(slash.body.detail).not.toContain('{{')
  })
})

describe('an unknown locale', () => {
  it.each([
    '/en/latest.rss',
    '/fr/sco.rss',
    '/en/',
    '/xx/changes/',
    '/en/items/x.json',
    '/p/sf_x/fr/changes/',
  ])('%s is a 404 LOCALE_NOT_FOUND naming the locales', async (path) => {
    const { res, body } = await problem(path)
    expect(res.status).toBe(404)
    expect(body.code).toBe('LOCALE_NOT_FOUND')
    expect(body.detail).toContain(LOCALES)
  })

  it('names them in the client’s language', async () => {
    const said = {
      zh: '可用的语言版本',
      ru: 'Доступные локали',
      kk: 'Қолжетімді тіл нұсқалары',
      uz: 'Mavjud til versiyalari',
    }
    for (const [language, words] of Object.entries(said)) {
      const { body } = await problem('/en/', { headers: { 'accept-language': language } })
      expect(body.code, language).toBe('LOCALE_NOT_FOUND')
      expect(body.detail, language).toContain(words)
      expect(body.detail, language).toContain(LOCALES)
    }
  })
})
