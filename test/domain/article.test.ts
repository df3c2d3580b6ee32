import { describe, expect, it } from 'vitest'
import { ArticleSchema } from '../../src/domain/article.ts'
import { LOCALES } from '../../src/domain/locale.ts'
import { problemsFromZod, REPORT_INPUT } from '../../src/domain/problem.ts'
import { problemMessage } from '../../src/i18n/translator.ts'
import { loadSamples, loadStoredSamples } from '../support/samples.ts'

const valid = {
  id: 'sco-test',
  locale: 'ru',
  title: 'Заголовок',
  url: 'https://news.silkfeed.dev/ru/2022/11/06/sco-test',
  publishedAt: '2022-11-06T15:12:00+08:00',
  sections: ['sco'],
}

function problemsOf(record: unknown) {
  const result = ArticleSchema.safeParse(record, REPORT_INPUT)
  return result.success
    ? []
    : problemsFromZod(result.error).map((p) => ({ path: p.path, message: problemMessage(p, 'en') }))
}

describe('the article schema', () => {
  it('accepts every sample article', () => {
    const samples = loadSamples()
    expect(samples.length).toBeGreaterThanOrEqual(24)
    for (const sample of samples) expect(problemsOf(sample)).toEqual([])
  })

  it("has every sample story in the four editors' locales, and in all seven once stored", () => {
    const localesById = (articles: readonly { id: string; locale: string }[]) => {
      const byId = new Map<string, string[]>()
      for (const a of articles) byId.set(a.id, [...(byId.get(a.id) ?? []), a.locale])
      return [...byId.values()].map((locales) => [...locales].sort())
    }
    for (const locales of localesById(loadSamples())) expect(locales).toEqual(['kk', 'ru', 'uz', 'zh'])
    for (const locales of localesById(loadStoredSamples())) expect(locales).toEqual([...LOCALES].sort())
  })

  it('accepts a minimal record', () => {
    expect(problemsOf(valid)).toEqual([])
  })

  it.each([
    ['an id with a slash', { id: 'a/b' }, '$.id', /must start with a letter or digit/],
    ['an id over 128 characters', { id: 'a'.repeat(129) }, '$.id', /at most 128/],
    ['an unknown locale', { locale: 'fr' }, '$.locale', /zh, ru, kk, uz/],
    ['an empty title', { title: '' }, '$.title', /must not be empty/],
    ['a title over 500 characters', { title: 'я'.repeat(501) }, '$.title', /at most 500/],
    [
      'a title with a bell character',
      { title: 'ding\u0007' },
      '$.title',
      /U\+0007 at index 4, which XML 1\.0 cannot carry/,
    ],
    ['a summary with a lone surrogate', { summary: 'x\uD800y' }, '$.summary', /U\+D800/],
    ['content with U+FFFF', { contentHtml: '<p>\uFFFF</p>' }, '$.contentHtml', /U\+FFFF/],
    ['a relative URL', { url: '/ru/story' }, '$.url', /absolute URL starting with http:\/\/, https:\/\//],
    [
      'an ftp URL',
      { url: 'ftp://example.com/x' },
      '$.url',
      /absolute URL starting with http:\/\/, https:\/\//,
    ],
    ['a date without offset', { publishedAt: '2022-11-06T15:12:00' }, '$.publishedAt', /RFC 3339/],
    ['a date that is no date', { publishedAt: 'yesterday' }, '$.publishedAt', /RFC 3339/],
    [
      'updatedAt before publishedAt',
      { updatedAt: '2022-11-05T00:00:00+08:00' },
      '$.updatedAt',
      /not be earlier than publishedAt/,
    ],
    ['no sections', { sections: [] }, '$.sections', /at least one section/],
    ['a section that is no slug', { sections: ['SCO Desk'] }, '$.sections[0]', /slug/],
    [
      'an author without a name',
      { authors: [{ url: 'https://x.test/' }] },
      '$.authors[0].name',
      /is required/,
    ],
    [
      'an image that is not an image type',
      { image: { url: 'https://x.test/a.pdf', type: 'application/pdf' } },
      '$.image.type',
      /image media type/,
    ],
    [
      'an image with a fractional length',
      { image: { url: 'https://x.test/a.jpg', length: 1.5 } },
      '$.image.length',
      /whole number/,
    ],
    ['an unknown field', { body: 'text' }, '$', /unknown field\(s\) "body"/],
    [
      'an unknown field in the source',
      { source: { name: 'X', logo: 'y' } },
      '$.source',
      /unknown field\(s\) "logo"/,
    ],
  ])('rejects %s at %s', (_name, change, path, message) => {
    const problems = problemsOf({ ...valid, ...change })
    const problem = problems.find((p) => p.path === path)
    expect(problem, JSON.stringify(problems)).toBeDefined()
    expect(problem!.message).toMatch(message)
  })

  it('reports every problem of a record at once', () => {
    const problems = problemsOf({ ...valid, id: '', title: '', url: 'nope', extra: 1 })
    expect(problems.map((p) => p.path).sort()).toEqual(['$', '$.id', '$.title', '$.url'])
  })
})
