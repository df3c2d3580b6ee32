import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { sampleApp } from '../support/app.ts'
import { attrOf, findAll, parseMarkup, textOf, xmllintProblems } from '../support/html.ts'
import { postRepublish } from '../support/webhook.ts'

// A story's rights reach the human pages as they reach the feeds: the preview page and the
// directory show the copyright notice (or holder), the usage terms in the page's language and
// script, and the licence as a rel="license" link.

const LICENSE = 'https://news.example.com/license'

function story(locale: 'ru' | 'uz', rights: Article['rights']): Article {
  return {
    id: 'sco-rights',
    locale,
    title: locale === 'ru' ? 'Соглашение о партнёрстве' : 'Hamkorlik toʻgʻrisida kelishuv',
    summary: locale === 'ru' ? 'Краткое содержание.' : 'Qisqacha mazmuni.',
    contentHtml: '<p>…</p>',
    url: `https://news.example.com/${locale}/sco-rights`,
    publishedAt: '2030-01-01T09:00:00+03:00',
    sections: ['sco'],
    rights,
  }
}

/** The rights paragraphs of a page: their text (with the link's) and their licence links. */
async function rightsOn(app: { request: (path: string) => Response | Promise<Response> }, path: string) {
  const res = await app.request(path)
  expect(res.status).toBe(200)
  const text = await res.text()
  expect(await xmllintProblems(text, 'html')).toEqual([])
  const paragraphs = findAll(parseMarkup(text), 'p').filter((p) => attrOf(p, 'class') === 'muted rights')
  return paragraphs.map((p) => {
    const links = findAll(p, 'a')
    return {
      text: [textOf(p), ...links.map(textOf)].join(' '),
      license: links.map((a) => ({ rel: attrOf(a, 'rel'), href: attrOf(a, 'href') })),
    }
  })
}

describe("a story's rights on the pages", () => {
  it('show on the preview page and the directory: notice, usage terms, licence link', async () => {
    const { app } = await sampleApp()
    const rights = {
      copyrightNotice: '© 2030 Циндао жибао',
      usageTerms: 'Только для партнёров по лицензии.',
      licenseUrl: LICENSE,
    }
    expect((await postRepublish(app, { upsert: [story('ru', rights)] })).status).toBe(200)
    // Once on the feed's preview; on the directory once per feed card carrying the story (latest, sco
    // and the excerpts of summaries: rights are no body, an excerpt carries them too).
    for (const [path, cards] of [
      ['/ru/sco', 1],
      ['/ru/summaries', 1],
      ['/?lang=ru', 3],
    ] as const) {
      const found = await rightsOn(app, path)
      expect(found, path).toHaveLength(cards)
      for (const { text, license } of found) {
        expect(text).toContain('© 2030 Циндао жибао')
        expect(text).toContain('Только для партнёров по лицензии.')
        expect(text).toContain(`Лицензия: ${LICENSE}`)
        expect(license).toEqual([{ rel: 'license', href: LICENSE }])
      }
    }
  })

  it("word the holder and the licence in the page's language, the terms in its script", async () => {
    const { app } = await sampleApp()
    const rights = { copyrightHolder: 'Qingdao', usageTerms: 'Faqat hamkorlar uchun.', licenseUrl: LICENSE }
    expect((await postRepublish(app, { upsert: [story('uz', rights)] })).status).toBe(200)
    const latin = await rightsOn(app, '/uz/sco')
    const cyrillic = await rightsOn(app, '/uz-cyrl/sco')
    expect(latin[0]!.text).toContain('© Qingdao')
    expect(latin[0]!.text).toContain('Faqat hamkorlar uchun.')
    expect(cyrillic[0]!.text).toContain('Фақат ҳамкорлар учун.')
    expect(cyrillic[0]!.text).not.toContain('Faqat')
    expect(cyrillic[0]!.license).toEqual([{ rel: 'license', href: LICENSE }])
  })

  it('are absent for stories without rights', async () => {
    const { app } = await sampleApp()
    expect(await rightsOn(app, '/ru/sco')).toEqual([])
  })
})
