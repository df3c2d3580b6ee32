import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import {
  archiveLayout,
  updateLayout,
  type ArchiveLayout,
  type ArchiveStory,
} from '../../src/domain/archive-layout.ts'
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

function pulled(id: string, publishedAt: string): ArchiveStory {
  const { record } = story(id, publishedAt) as Extract<ArchiveStory, { kind: 'live' }>
  return { kind: 'retracted', key: `${id}/r`, at: '2026-06-01T00:00:00Z', reason: 'kill', pulled: record }
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

  it('keeps a tombstone in its archived month, also once the window moves back past it', () => {
    const now = Date.parse('2026-06-02T00:00:00Z')
    const stories = [
      story('a', '2026-05-10T00:00:00Z'),
      story('b', '2026-05-09T00:00:00Z'),
      pulled('x', '2026-04-20T00:00:00Z'),
      story('c', '2026-04-10T00:00:00Z'),
      story('c2', '2026-04-05T00:00:00Z'),
      story('d', '2026-03-10T00:00:00Z'),
      pulled('w', '2026-03-05T00:00:00Z'),
      story('e', '2026-02-10T00:00:00Z'),
    ]
    const tombstones = (l: ArchiveLayout) =>
      [...l.months.values()].map((m) => [m.month, m.tombstones.map((t) => t.id)])
    const before = archiveLayout(definition, stories, FULL, now)
    expect(tombstones(before)).toEqual([
      ['2026-02', []],
      ['2026-03', ['w']],
      ['2026-04', ['x']],
    ])
    // a is killed: c moves into the window, and x, pulled before, now sorts inside it.
    const after = archiveLayout(
      definition,
      [pulled('a', '2026-05-10T00:00:00Z'), ...stories.slice(1)],
      FULL,
      now,
    )
    expect(after.months.get('2026-04')!.items.map((a) => a.id)).toEqual(['c2'])
    expect(tombstones(after)).toEqual([
      ['2026-02', []],
      ['2026-03', ['w']],
      ['2026-04', ['x']],
    ])
    // A story pulled from the window in a month that is archived is a tombstone there too.
    const inWindow = archiveLayout(
      definition,
      [
        story('n', '2026-05-11T00:00:00Z'),
        ...stories.slice(0, 2),
        pulled('m', '2026-04-25T00:00:00Z'),
        ...stories.slice(2),
      ],
      FULL,
      now,
    )
    expect(tombstones(inWindow).find(([month]) => month === '2026-04')).toEqual(['2026-04', ['m', 'x']])
  })
  it('moves only the changed stories and lays out the same months as a layout from scratch', () => {
    // A feed of 5, 40 stories over three months; then 300 changes one at a time, as the log brings
    // them: new stories, corrections that move a story, embargoes, stories leaving the feed's section.
    const feed = { ...definition, limit: 5 }
    const at = (day: number) => new Date(Date.UTC(2026, 2, 1) + day * 86_400_000).toISOString()
    let seed = 7
    const random = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n)
    let stories = new Map<string, ArchiveStory>()
    for (let n = 0; n < 40; n++) stories.set(`s${n}`, story(`s${n}`, at(random(90))))
    // Stories pulled before, in and past the window: their tombstones move with the months.
    for (let n = 0; n < 8; n++) stories.set(`r${n}`, pulled(`r${n}`, at(random(120))))
    let now = Date.parse('2026-07-01T00:00:00Z')
    let layout = archiveLayout(feed, [...stories.values()], FULL, now)
    const view = (l: ArchiveLayout) =>
      [...l.months.values()].map((m) => ({
        month: m.month,
        ids: m.items.map((a) => a.id),
        version: m.version,
        links: [m.prev, m.next],
      }))
    let kept = 0
    for (let step = 0; step < 300; step++) {
      const id = `s${random(60)}`
      const kind = random(10)
      const extra: Partial<Article> =
        kind === 0
          ? { embargoUntil: new Date(now + 3_600_000).toISOString() }
          : kind === 1
            ? { sections: ['elsewhere'] }
            : { updatedAt: new Date(now).toISOString() }
      const next = new Map(stories)
      next.set(id, { ...story(id, at(random(90)), extra), key: `${id}/v${step}` })
      now += 600_000
      const moved = updateLayout(layout, feed, { before: stories, stories: next }, [id], FULL, now)
      const fresh = archiveLayout(feed, [...next.values()], FULL, now)
      expect(view(moved), `step ${step}`).toEqual(view(fresh))
      expect([moved.first, moved.last]).toEqual([fresh.first, fresh.last])
      if (moved.months === layout.months) kept++
      layout = moved
      stories = next
    }
    // Changes inside the window (or outside the feed) left the months as they were, objects and all.
    expect(kept).toBeGreaterThan(0)
  })
})
