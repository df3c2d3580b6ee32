import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { archiveLayout, type ArchiveStory } from '../../src/domain/archive-layout.ts'
import { addMonths, isMonth, monthOf } from '../../src/domain/archive-months.ts'
import { loadCatalog } from '../support/samples.ts'

const definition = { ...loadCatalog().find('latest')!, limit: 2 }
const FULL = { body: 'full' as const, embargoed: false }

function story(id: string, publishedAt: string, extra: Partial<Article> = {}): ArchiveStory {
  const record: Article = {
    id,
    locale: 'ru',
    title: id,
    url: `https://news.silkfeed.dev/${id}`,
    publishedAt,
    sections: ['economy'],
    ...extra,
  }
  return { kind: 'live', key: `${id}/v1`, record }
}

describe('archive months and layout', () => {
  it('spells, reads and steps months in UTC', () => {
    expect(monthOf(Date.parse('2026-03-01T02:00:00+05:00'))).toBe('2026-02')
    expect(addMonths('2026-12', 1)).toBe('2027-01')
    expect(addMonths('2026-01', -1)).toBe('2025-12')
    expect(['2026-03', '2026-13', '2026-00', '26-03', '2026-3'].map(isMonth)).toEqual([
      true,
      false,
      false,
      false,
      false,
    ])
  })

  it('archives the stories past the window by month, empty months between, none still in the window', () => {
    const stories = [
      story('a', '2026-05-10T00:00:00Z'),
      story('b', '2026-05-09T00:00:00Z'),
      story('c', '2026-05-01T00:00:00Z'),
      story('d', '2026-02-01T00:00:00Z'),
      story('e', '2026-03-01T00:00:00Z', { embargoUntil: '2099-01-01T00:00:00Z' }),
    ]
    const layout = archiveLayout(definition, stories, FULL, Date.parse('2026-06-01T00:00:00Z'))
    expect([layout.first, layout.last]).toEqual(['2026-02', '2026-05'])
    expect([...layout.months.keys()]).toEqual(['2026-02', '2026-03', '2026-04', '2026-05'])
    expect(layout.months.get('2026-05')!.items.map((a) => a.id)).toEqual(['c'])
    // Under embargo: in no archive (nor, publicly, in the feed) until its release.
    expect(layout.months.get('2026-03')!.items).toEqual([])
    expect(layout.months.get('2026-04')).toMatchObject({ prev: '2026-03', next: '2026-05', items: [] })
    expect(layout.months.get('2026-02')!.prev).toBeUndefined()
  })

  it('puts a pulled story past the window as a tombstone in its month, or the newest one', () => {
    const pulled = (id: string, publishedAt: string): ArchiveStory => {
      const { record } = story(id, publishedAt) as Extract<ArchiveStory, { kind: 'live' }>
      return { kind: 'retracted', key: `${id}/r`, at: '2026-06-01T00:00:00Z', reason: 'kill', pulled: record }
    }
    const stories = [
      story('a', '2026-05-10T00:00:00Z'),
      story('b', '2026-05-09T00:00:00Z'),
      pulled('x', '2026-05-08T00:00:00Z'),
      story('c', '2026-04-01T00:00:00Z'),
      pulled('y', '2026-04-02T00:00:00Z'),
      pulled('z', '2026-06-01T00:00:00Z'),
    ]
    const layout = archiveLayout(definition, stories, FULL, Date.parse('2026-06-02T00:00:00Z'))
    expect([...layout.months.keys()]).toEqual(['2026-04'])
    // x sorts past the window but is newer than every archived story: the newest archive keeps it.
    expect(layout.months.get('2026-04')!.tombstones.map((t) => t.id)).toEqual(['x', 'y'])
    expect(layout.months.get('2026-04')!.items.map((a) => a.id)).toEqual(['c'])
  })
})
