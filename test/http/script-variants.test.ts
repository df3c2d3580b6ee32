import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { sampleApp } from '../support/app.ts'
import { postRepublish } from '../support/webhook.ts'

// Script variants through the real webhook and feeds: derived at ingest, marked, never
// overwriting what an editor sent, pulled with their source.

const uzStory: Article = {
  id: 'variant-story',
  locale: 'uz',
  // Apostrophes as editors type them: ASCII, U+2018, U+2019, backtick.
  title: "O'zbekiston va Qozog‘iston: ta’lim bo`yicha yangi kelishuv",
  summary: "Ma'lumot uchun: https://example.org/o'quv",
  contentHtml:
    '<p>Toshkentda <a href="https://example.org/o\'zbek?x=1">kelishuv</a> imzolandi. Reuters va «Financial Times» xabar berdi.</p>',
  url: 'https://news.silkfeed.dev/uz/2026/11/24/variant-story',
  publishedAt: '2026-11-24T10:00:00+05:00',
  sections: ['sco'],
  tags: ['taʼlim'],
}

interface JsonItem {
  id: string
  url: string
  title: string
  summary?: string
  content_html?: string
  tags?: string[]
  _silkfeed: { derived_from?: string; translations: { language: string; url: string }[] }
}

async function itemOf(app: Awaited<ReturnType<typeof sampleApp>>['app'], locale: string, id: string) {
  const feed = (await (await app.request(`/${locale}/sco.json`)).json()) as { items: JsonItem[] }
  return feed.items.find((i) => i.id.includes(`/${id}/`))
}

describe('script variants at ingest', () => {
  it('normalizes Uzbek apostrophes and derives Uzbek Cyrillic, marked as derived', async () => {
    const { app } = await sampleApp()
    const res = await postRepublish(app, { upsert: [uzStory] })
    expect(res.status).toBe(200)
    const report = (await res.json()) as { stored: { locale: string; derivedFrom?: string }[] }
    expect(report.stored).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ locale: 'uz' }),
        expect.objectContaining({ locale: 'uz-cyrl', derivedFrom: 'uz' }),
      ]),
    )

    const latin = (await itemOf(app, 'uz', uzStory.id))!
    expect(latin.title).toBe('Oʻzbekiston va Qozogʻiston: taʼlim boʻyicha yangi kelishuv')
    // A URL in text keeps its ASCII apostrophe.
    expect(latin.summary).toBe("Maʼlumot uchun: https://example.org/o'quv")
    expect(latin._silkfeed.derived_from).toBeUndefined()

    const cyrillic = (await itemOf(app, 'uz-cyrl', uzStory.id))!
    expect(cyrillic.title).toBe('Ўзбекистон ва Қозоғистон: таълим бўйича янги келишув')
    expect(cyrillic._silkfeed.derived_from).toBe('uz-Latn')
    // Markup, URLs and Latin-script names survive; the text around them is converted.
    expect(cyrillic.content_html).toContain('<a href="https://example.org/o\'zbek?x=1">келишув</a>')
    expect(cyrillic.content_html).toContain('«Financial Times»')
    expect(cyrillic.content_html).toMatch(/^<p>Тошкентда /)
    expect(cyrillic.url).toBe(uzStory.url)
    // Both link each other.
    expect(cyrillic._silkfeed.translations).toContainEqual(
      expect.objectContaining({ language: 'uz-Latn', url: uzStory.url }),
    )
    const atom = await (await app.request('/uz-cyrl/sco.atom')).text()
    expect(atom).toContain('scheme="https://feeds.silkfeed.test/derived-from/"')
  })

  it("derives Kazakh Latin and Traditional Chinese from the editors' records", async () => {
    const { app } = await sampleApp()
    const kk = {
      ...uzStory,
      id: 'kk-story',
      locale: 'kk' as const,
      title: 'Шанхай ынтымақтастық ұйымы',
      contentHtml: undefined,
      summary: undefined,
      tags: undefined,
    }
    const zh = {
      ...uzStory,
      id: 'zh-story',
      locale: 'zh' as const,
      title: '上海合作组织示范区发展',
      contentHtml: '<p>头发干燥，干部后来到了。</p>',
      summary: undefined,
      tags: undefined,
    }
    expect((await postRepublish(app, { upsert: [kk, zh] })).status).toBe(200)
    expect((await itemOf(app, 'kk-latn', 'kk-story'))!.title).toBe('Şanhai yntymaqtastyq ūiymy')
    const hant = (await itemOf(app, 'zh-hant', 'zh-story'))!
    expect(hant.title).toBe('上海合作組織示範區發展')
    expect(hant.content_html).toBe('<p>頭髮乾燥，幹部後來到了。</p>')
    expect(hant._silkfeed.derived_from).toBe('zh-Hans')
  })

  it("keeps an editor's own variant: a later base record never overwrites it", async () => {
    const { app } = await sampleApp()
    const own = { ...uzStory, locale: 'uz-cyrl' as const, title: 'Таҳририят ёзган сарлавҳа' }
    expect((await postRepublish(app, { upsert: [uzStory, own] })).status).toBe(200)
    expect((await itemOf(app, 'uz-cyrl', uzStory.id))!.title).toBe('Таҳририят ёзган сарлавҳа')
    expect((await itemOf(app, 'uz-cyrl', uzStory.id))!._silkfeed.derived_from).toBeUndefined()

    const corrected = { ...uzStory, title: 'Yangi sarlavha', updatedAt: '2026-11-24T12:00:00+05:00' }
    const res = await postRepublish(app, { upsert: [corrected] })
    expect(res.status).toBe(200)
    expect((await itemOf(app, 'uz', uzStory.id))!.title).toBe('Yangi sarlavha')
    expect((await itemOf(app, 'uz-cyrl', uzStory.id))!.title).toBe('Таҳририят ёзган сарлавҳа')
  })

  it('derives Uzbek Latin from Cyrillic when the editor sends only Cyrillic', async () => {
    const { app } = await sampleApp()
    const cyr = {
      ...uzStory,
      id: 'cyr-only',
      locale: 'uz-cyrl' as const,
      title: 'Ўзбекистон ва Қозоғистон',
      contentHtml: undefined,
      summary: undefined,
      tags: undefined,
    }
    expect((await postRepublish(app, { upsert: [cyr] })).status).toBe(200)
    const latin = (await itemOf(app, 'uz', 'cyr-only'))!
    expect(latin.title).toBe('Oʻzbekiston va Qozogʻiston')
    expect(latin._silkfeed.derived_from).toBe('uz-Cyrl')
  })

  it('pulls a derived variant with its source, but not a variant the editor sent', async () => {
    const { app } = await sampleApp()
    const kk = {
      ...uzStory,
      id: 'kk-story',
      locale: 'kk' as const,
      title: 'Жаңалық',
      contentHtml: undefined,
      summary: undefined,
      tags: undefined,
    }
    const ownUzCyrl = { ...uzStory, locale: 'uz-cyrl' as const, title: 'Ўз сарлавҳаси' }
    expect((await postRepublish(app, { upsert: [uzStory, ownUzCyrl, kk] })).status).toBe(200)
    const res = await postRepublish(app, {
      retract: [
        { id: 'kk-story', locale: 'kk' },
        { id: uzStory.id, locale: 'uz' },
      ],
    })
    const report = (await res.json()) as { retracted: { id: string; locale: string }[] }
    expect(report.retracted).toEqual(
      expect.arrayContaining([
        { id: 'kk-story', locale: 'kk' },
        { id: 'kk-story', locale: 'kk-latn' },
        { id: uzStory.id, locale: 'uz' },
      ]),
    )
    expect(report.retracted).toHaveLength(3)
    expect(await itemOf(app, 'kk-latn', 'kk-story')).toBeUndefined()
    expect(await itemOf(app, 'uz', uzStory.id)).toBeUndefined()
    expect((await itemOf(app, 'uz-cyrl', uzStory.id))!.title).toBe('Ўз сарлавҳаси')
    const atom = await (await app.request('/kk-latn/sco.atom')).text()
    expect(atom).toContain('article/kk-story/kk-latn')
    expect(atom).toContain('at:deleted-entry')

    // The old version sent again does not undo the retraction; the editor is told why.
    const resent = (await (await postRepublish(app, { upsert: [kk] })).json()) as {
      skipped: { id: string; locale: string; reason: string }[]
    }
    expect(resent.skipped).toEqual([
      expect.objectContaining({ id: 'kk-story', locale: 'kk', reason: 'retracted-later' }),
    ])
    expect(await itemOf(app, 'kk', 'kk-story')).toBeUndefined()

    // The story returns, corrected after the retraction: its derived variant returns with it.
    const back = { ...kk, updatedAt: new Date(Date.now() + 1000).toISOString() }
    expect((await postRepublish(app, { upsert: [back] })).status).toBe(200)
    expect(await itemOf(app, 'kk-latn', 'kk-story')).toBeDefined()
  })
})
