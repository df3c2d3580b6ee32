import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { sampleApp } from '../support/app.ts'
import { expectValidNinjs } from '../support/ninjs-schema.ts'

// zh-hant is converted with OpenCC s2tw (Taiwan standard forms), so LOCALES.md §1 tags it
// `zh-Hant-TW`: the URL segment stays `zh-hant`, RSS keeps its legacy `zh-tw`.
const TAG = 'zh-Hant-TW'
const STORY = 'sco-roadshow-overview'

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' })

type Link = { '@rel'?: string; '@hreflang'?: string }
const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

describe('the zh-hant locale is tagged zh-Hant-TW (LOCALES.md §1)', () => {
  it('in its feeds, parsed back: Atom xml:lang, JSON Feed language, Content-Language; RSS says zh-tw', async () => {
    const { app } = await sampleApp()
    const atomRes = await app.request('/zh-hant/sco.atom')
    expect(atomRes.status).toBe(200)
    expect(atomRes.headers.get('content-language')).toBe(TAG)
    const atom = xml.parse(await atomRes.text()) as { feed: { '@xml:lang': string } }
    expect(atom.feed['@xml:lang']).toBe(TAG)

    const jsonRes = await app.request('/zh-hant/sco.json')
    expect(jsonRes.headers.get('content-language')).toBe(TAG)
    const json = (await jsonRes.json()) as { language: string; items: unknown[] }
    expect(json.language).toBe(TAG)
    expect(json.items.length).toBeGreaterThan(0)

    const rssRes = await app.request('/zh-hant/sco.rss')
    expect(rssRes.headers.get('content-language')).toBe(TAG)
    const rss = xml.parse(await rssRes.text()) as { rss: { channel: { language: string } } }
    expect(rss.rss.channel.language).toBe('zh-tw')
  })

  it('where the other locales link it: JSON Feed translations and Atom hreflang', async () => {
    const { app } = await sampleApp()
    const zh = (await (await app.request('/zh/sco.json')).json()) as {
      items: { _silkfeed: { translations: { language: string; url: string }[] } }[]
    }
    const languages = zh.items.flatMap((i) => i._silkfeed.translations.map((t) => t.language))
    expect(languages).toContain(TAG)
    expect(languages).not.toContain('zh-Hant')

    const atom = xml.parse(await (await app.request('/zh/sco.atom')).text()) as {
      feed: { link: Link | Link[]; entry: { link: Link | Link[] }[] }
    }
    const hreflangs = [atom.feed, ...atom.feed.entry].flatMap((e) =>
      asArray(e.link).map((l) => l['@hreflang']),
    )
    expect(hreflangs).toContain(TAG)
    expect(hreflangs).not.toContain('zh-Hant')
  })

  it('in its ninjs items, valid against the IPTC schema, and in the associations that link them', async () => {
    const { app } = await sampleApp()
    const res = await app.request(`/zh-hant/items/${STORY}.ninjs.json`)
    expect(res.status).toBe(200)
    const item = (await res.json()) as { language: string }
    expectValidNinjs(item, `zh-hant/${STORY}`)
    expect(item.language).toBe(TAG)

    // The Simplified item's translation is read back from the tag to the zh-hant locale.
    const zh = (await (await app.request(`/zh/items/${STORY}.ninjs.json`)).json()) as {
      associations: { rel: string; language: string; uri: string }[]
    }
    expect(zh.associations).toContainEqual(
      expect.objectContaining({
        rel: 'translation',
        language: TAG,
        uri: expect.stringMatching(/\/zh-hant$/),
      }),
    )
    const list = (await (await app.request('/zh/sco.ninjs.json')).json()) as {
      items: { associations: { language: string }[] }[]
    }
    for (const entry of list.items) expect(entry.associations.map((a) => a.language)).toContain(TAG)
  })

  it('in the HTML preview page: lang and Content-Language', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/zh-hant/sco')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-language')).toBe(TAG)
    expect(await res.text()).toContain(`<html lang="${TAG}">`)
  })
})
