import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FORMATS } from '../../src/domain/feed-definition.ts'
import { LOCALES } from '../../src/domain/locale.ts'
import {
  allOpmlPath,
  directoryPath,
  feedPath,
  localeOpmlPath,
  parseFeedPath,
  parsePath,
  previewPath,
  redirectPath,
  changesPath,
  ninjsFeedPath,
  ninjsItemPath,
  archivePath,
} from '../../src/domain/url-scheme.ts'

const feedId = fc
  .stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/)
  .filter((id) => !['feeds', 'changes', 'items'].includes(id))

describe('the URL scheme', () => {
  it('reads back every path it builds', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LOCALES), feedId, fc.constantFrom(...FORMATS), (locale, id, format) => {
        expect(parseFeedPath(feedPath(locale, id, format))).toEqual({ locale, feedId: id, format })
        expect(parsePath(previewPath(locale, id))).toEqual({ kind: 'preview', locale, feedId: id })
        expect(parsePath(redirectPath(id, format))).toEqual({ kind: 'redirect', feedId: id, format })
        expect(parsePath(localeOpmlPath(locale))).toEqual({ kind: 'localeOpml', locale })
        expect(parsePath(ninjsFeedPath(locale, id))).toEqual({ kind: 'ninjsFeed', locale, feedId: id })
        expect(parsePath(ninjsItemPath(locale, `${id}.v_2`))).toEqual({
          kind: 'ninjsItem',
          locale,
          id: `${id}.v_2`,
        })
        expect(parsePath(changesPath(locale))).toEqual({ kind: 'changes', locale })
        expect(parsePath(archivePath(locale, id, '2026-03', format))).toEqual({
          kind: 'archive',
          locale,
          feedId: id,
          month: '2026-03',
          format,
        })
      }),
    )
    expect(parsePath(allOpmlPath())).toEqual({ kind: 'allOpml' })
    expect(parsePath(directoryPath())).toEqual({ kind: 'directory' })
    expect(directoryPath('kk')).toBe('/?lang=kk')
    expect(allOpmlPath('kk')).toBe('/feeds.opml?lang=kk')
  })

  it('keeps feed-shaped paths with an unknown locale or format, so their 404 can say what exists', () => {
    expect(parsePath('/xx/sco.rss')).toMatchObject({ kind: 'feed', locale: 'xx', format: 'rss' })
    expect(parsePath('/ru/sco.txt')).toMatchObject({ kind: 'feed', format: 'txt' })
    expect(parseFeedPath('/ru/sco.txt')).toBeUndefined()
  })

  it.each([
    '',
    'ru/sco.rss',
    '/ru/sco.rss/',
    '/ru/',
    '//sco.rss',
    '/ru/.rss',
    '/a/b/c',
    '/healthz',
    '/SCO.rss',
    '/ru/Sco',
    '/ru/items/.ninjs.json',
    '/ru/items/a/b.ninjs.json',
    '/ru/items/x.json',
  ])('names nothing with %j', (path) => {
    expect(parsePath(path)).toBeUndefined()
  })
})
