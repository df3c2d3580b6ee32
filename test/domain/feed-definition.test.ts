import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseFeedCatalog } from '../../src/domain/feed-definition.ts'
import { selectItems } from '../../src/domain/select-items.ts'
import { BUNDLED_FEED_FILES } from '../../src/platform/bundled-feeds.ts'
import { loadCatalog, loadSamples, ROOT } from '../support/samples.ts'

describe('feed definitions', () => {
  it('bundles exactly the files in feeds/ into the Worker', () => {
    const onDisk = readdirSync(join(ROOT, 'feeds'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => `feeds/${f}`)
    expect(Object.keys(BUNDLED_FEED_FILES).sort()).toEqual(onDisk.sort())
  })

  it('offers latest, sco, the public excerpt feed summaries and the partners-only wire in all seven locales', () => {
    const catalog = loadCatalog()
    expect(catalog.ids.sort()).toEqual(['latest', 'sco', 'summaries', 'wire'])
    expect(catalog.all.map((d) => d.public ?? 'full')).toEqual(['full', 'full', 'excerpt', 'none'])
    for (const id of catalog.ids)
      expect(catalog.find(id)!.locales).toEqual(['zh', 'ru', 'kk', 'uz', 'uz-cyrl', 'kk-latn', 'zh-hant'])
  })

  it('fails loudly, naming the file and the field, when a definition is broken', () => {
    const broken = { id: 'sco', sections: ['sco'], locales: ['zh', 'fr'], limit: 0, cache: {} }
    expect(() => parseFeedCatalog({ 'feeds/sco.json': broken })).toThrow(
      /feeds\/sco\.json:[\s\S]*\$\.locales\[1\][\s\S]*\$\.limit/,
    )
  })

  it('fails when a definition id does not match its file name', () => {
    const def = {
      id: 'other',
      sections: 'all',
      locales: ['zh'],
      limit: 5,
      cache: { maxAge: 1, staleWhileRevalidate: 1, staleIfError: 1 },
    }
    expect(() => parseFeedCatalog({ 'feeds/sco.json': def })).toThrow(/must match the file name "sco"/)
  })

  it('selects only SCO stories for sco and every story for latest, newest first', () => {
    const catalog = loadCatalog()
    const zh = loadSamples().filter((a) => a.locale === 'zh')
    const latest = selectItems(catalog.find('latest')!, zh)
    const sco = selectItems(catalog.find('sco')!, zh)
    expect(latest.length).toBe(zh.length)
    expect(sco.length).toBeGreaterThanOrEqual(4)
    expect(sco.length).toBeLessThan(latest.length)
    expect(sco.every((a) => a.sections.includes('sco'))).toBe(true)
    const times = latest.map((a) => Date.parse(a.publishedAt))
    expect(times).toEqual([...times].sort((a, b) => b - a))
  })

  it('cuts a feed to its limit', () => {
    const def = { ...loadCatalog().find('latest')!, limit: 2 }
    expect(
      selectItems(
        def,
        loadSamples().filter((a) => a.locale === 'ru'),
      ),
    ).toHaveLength(2)
  })
})
