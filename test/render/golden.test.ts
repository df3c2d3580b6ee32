import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { FORMATS } from '../../src/domain/feed-definition.ts'
import { LOCALES } from '../../src/domain/locale.ts'
import { renderFeedFormats } from '../../src/services/render-feed.ts'
import { renderSampleFeeds, samplesIn } from '../conformance/sample-feeds.ts'
import { loadCatalog, loadSamples, TEST_SETTINGS } from '../support/samples.ts'

const feeds = await renderSampleFeeds()
const wire = await renderSampleFeeds((catalog) => [catalog.find('wire')!])
const decoder = new TextDecoder()

describe('golden files', () => {
  it('cover 3 public feeds × 7 locales × 3 formats', () => {
    expect(feeds).toHaveLength(63)
  })

  it.each(feeds.map((f) => [f.fileName, f] as const))('%s matches its golden file', async (name, feed) => {
    await expect(feed.text).toMatchFileSnapshot(`../golden/${name}`)
  })
})

describe('golden files of the partners-only wire feed (full text)', () => {
  it.each(wire.map((f) => [f.fileName, f] as const))('%s matches its golden file', async (name, feed) => {
    await expect(feed.text).toMatchFileSnapshot(`../golden/${name}`)
  })
})

describe('rendering', () => {
  const definition = loadCatalog().find('sco')!

  it.each(LOCALES)('is deterministic in %s: same bytes and ETags twice', async (locale) => {
    const articles = samplesIn(locale)
    const first = await renderFeedFormats({ definition, locale, articles, settings: TEST_SETTINGS })
    // A different input order must not change the output either.
    const second = await renderFeedFormats({
      definition,
      locale,
      articles: [...articles].reverse(),
      settings: TEST_SETTINGS,
    })
    expect(second.map((r) => r.format)).toEqual([...FORMATS])
    for (const [i, a] of first.entries()) {
      const b = second[i]!
      expect(Buffer.from(b.body).equals(Buffer.from(a.body))).toBe(true)
      expect(b.etag).toBe(a.etag)
      expect(b.lastModified).toBe(a.lastModified)
    }
  })

  it.each(LOCALES)(
    'keeps an item id in %s when the story is edited (new title, new updatedAt)',
    async (locale) => {
      const articles = samplesIn(locale)
      const target = articles.find((a) => a.id === 'sco-moscow-presentation')!
      const edited: Article = {
        ...target,
        title: `${target.title} (исправлено)`,
        updatedAt: '2022-11-07T09:30:00+08:00',
      }
      const before = await renderFeedFormats({ definition, locale, articles, settings: TEST_SETTINGS })
      const after = await renderFeedFormats({
        definition,
        locale,
        articles: articles.map((a) => (a === target ? edited : a)),
        settings: TEST_SETTINGS,
      })
      const id = `tag:${TEST_SETTINGS.idAuthority}:article/sco-moscow-presentation/${locale}`
      for (const [i, old] of before.entries()) {
        const now = after[i]!
        const [oldText, newText] = [decoder.decode(old.body), decoder.decode(now.body)]
        expect(oldText).toContain(id)
        expect(newText).toContain(id)
        expect(newText).toContain('(исправлено)')
        // The edit is a change: new bytes, new ETag, later Last-Modified.
        expect(now.etag).not.toBe(old.etag)
        expect(now.lastModified).toBe(Date.parse('2022-11-07T09:30:00+08:00'))
      }
      const json = JSON.parse(decoder.decode(after.find((r) => r.format === 'json')!.body)) as {
        items: { id: string; title: string }[]
      }
      expect(json.items.find((item) => item.title === edited.title)?.id).toBe(id)
    },
  )

  it('gives every locale version of a story its own id', async () => {
    const ids = new Set<string>()
    for (const locale of LOCALES) {
      const [, , json] = await renderFeedFormats({
        definition,
        locale,
        articles: samplesIn(locale, loadSamples()),
        settings: TEST_SETTINGS,
      })
      for (const item of (JSON.parse(decoder.decode(json!.body)) as { items: { id: string }[] }).items) {
        expect(ids.has(item.id)).toBe(false)
        ids.add(item.id)
      }
    }
    expect(ids.size).toBe(16)
  })
})
