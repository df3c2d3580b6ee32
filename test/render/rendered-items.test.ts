import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import type { Locale } from '../../src/domain/locale.ts'
import type { TranslationIndex } from '../../src/render/feed-model.ts'
import { RenderedItems, renderFeedFormats } from '../../src/services/render-feed.ts'
import { loadCatalog, loadSamples, TEST_SETTINGS } from '../support/samples.ts'

// The republish path renders a feed from items it rendered before (RenderedItems). Whatever happened
// to the feed in between, the bytes must be those of a rendering from scratch.

const decoder = new TextDecoder()
const catalog = loadCatalog()
const samples = loadSamples()
const LOCALES = ['zh', 'ru', 'kk', 'uz'] as const

/** Every story of the feed by id, in every locale, as FeedService builds it. */
function indexOf(stories: readonly Article[]): TranslationIndex {
  const index = new Map<string, { locale: Locale; url: string; title: string }[]>()
  for (const a of stories) {
    const list = index.get(a.id) ?? []
    list.push({ locale: a.locale, url: a.url, title: a.title })
    index.set(a.id, list)
  }
  return index
}

/** One edit an editor may make between two renders. */
type Edit =
  | { kind: 'retitle'; story: number; locale: number; title: string }
  | { kind: 'pull'; story: number; locale: number }
  | { kind: 'publish'; story: number; locale: number; minutes: number }
  | { kind: 'move'; story: number; locale: number; sections: string[] }

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('retitle' as const),
    story: fc.nat(),
    locale: fc.nat(),
    title: fc.string({ minLength: 1, maxLength: 30 }).map((t) => t.replace(/[^\p{L}\p{N} ]/gu, 'x') || 'x'),
  }),
  fc.record({ kind: fc.constant('pull' as const), story: fc.nat(), locale: fc.nat() }),
  fc.record({
    kind: fc.constant('publish' as const),
    story: fc.nat(),
    locale: fc.nat(),
    minutes: fc.integer({ min: 1, max: 100_000 }),
  }),
  fc.record({
    kind: fc.constant('move' as const),
    story: fc.nat(),
    locale: fc.nat(),
    sections: fc.subarray(['sco', 'economy', 'world'], { minLength: 1 }),
  }),
)

function apply(stories: Article[], e: Edit, round: number): Article[] {
  const locale = LOCALES[e.locale % LOCALES.length]!
  const own = stories.filter((a) => a.locale === locale)
  if (own.length === 0) return stories
  const target = own[e.story % own.length]!
  const updatedAt = new Date(Date.parse(target.updatedAt ?? target.publishedAt) + 60_000).toISOString()
  switch (e.kind) {
    case 'pull':
      return stories.filter((a) => a !== target)
    case 'retitle':
      return stories.map((a) => (a === target ? { ...a, title: `${e.title} ${round}`, updatedAt } : a))
    case 'move':
      return stories.map((a) => (a === target ? { ...a, sections: e.sections, updatedAt } : a))
    case 'publish': {
      const publishedAt = new Date(Date.parse(target.publishedAt) + e.minutes * 60_000).toISOString()
      return [...stories, { ...target, id: `${target.id}-new-${round}`, publishedAt, updatedAt: undefined }]
    }
  }
}

async function bodies(stories: readonly Article[], cache?: RenderedItems): Promise<string[]> {
  const out: string[] = []
  const translations = indexOf(stories)
  for (const definition of catalog.all) {
    for (const locale of LOCALES) {
      const rendered = await renderFeedFormats({
        definition,
        locale,
        articles: stories.filter((a) => a.locale === locale),
        settings: TEST_SETTINGS,
        translations,
        renderedItems: cache,
      })
      out.push(...rendered.map((r) => `${r.etag}\n${decoder.decode(r.body)}`))
    }
  }
  return out
}

describe('rendering from items rendered before', () => {
  it('gives the bytes of a rendering from scratch after any sequence of edits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), async (edits) => {
        const cache = new RenderedItems()
        let stories = [...samples]
        await bodies(stories, cache)
        for (const [round, e] of edits.entries()) {
          stories = apply(stories, e, round)
          expect(await bodies(stories, cache)).toEqual(await bodies(stories))
        }
      }),
      { numRuns: 25 },
    )
  })

  it('reuses an unchanged item and renders a changed one again', async () => {
    const items = new RenderedItems()
    const story = samples.find((a) => a.locale === 'ru')!
    let calls = 0
    const render = () => `rendered ${++calls} «ё»`
    const get = (article: Article, slot: string, links: string) =>
      decoder.decode(items.get(article, slot, links, render))
    expect(get(story, 'rss ru', 'links')).toBe('rendered 1 «ё»')
    expect(get(story, 'rss ru', 'links')).toBe('rendered 1 «ё»')
    // Other translations, another slot, another version of the story: rendered again.
    expect(get(story, 'rss ru', 'other links')).toBe('rendered 2 «ё»')
    expect(get(story, 'atom ru', 'other links')).toBe('rendered 3 «ё»')
    expect(get({ ...story }, 'rss ru', 'other links')).toBe('rendered 4 «ё»')
  })
})
