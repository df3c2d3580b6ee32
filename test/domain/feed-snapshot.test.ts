import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import {
  applyChanges,
  EMPTY_SNAPSHOT,
  type Change,
  type FeedSnapshot,
} from '../../src/domain/feed-snapshot.ts'
import { parseFeedCatalog } from '../../src/domain/feed-definition.ts'

// A small feed over few stories, so that generated changes collide: versions of one story,
// retractions of it, sections moving it in and out of the feed, derived and editors' records.
const definition = parseFeedCatalog({
  'feeds/sco.json': {
    id: 'sco',
    sections: ['sco'],
    locales: ['kk'],
    limit: 3,
    cache: { maxAge: 60, staleWhileRevalidate: 60, staleIfError: 600 },
  },
}).find('sco')!

const T0 = Date.parse('2026-12-01T00:00:00Z')
const minute = (n: number) => new Date(T0 + n * 60_000).toISOString()

const record = fc
  .record({
    story: fc.integer({ min: 0, max: 4 }),
    published: fc.integer({ min: 0, max: 20 }),
    updated: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    title: fc.constantFrom('A', 'B'),
    sections: fc.constantFrom<string[]>(['sco'], ['economy'], ['sco', 'economy']),
    derived: fc.boolean(),
  })
  .map(({ story, published, updated, title, sections, derived }): Article => ({
    id: `story-${story}`,
    locale: 'kk',
    title,
    url: `https://news.silkfeed.dev/kk/story-${story}`,
    publishedAt: minute(published),
    ...(updated !== undefined && { updatedAt: minute(Math.max(published, updated)) }),
    sections,
    ...(derived && { derivedFrom: 'kk' as const }),
  }))

const change: fc.Arbitrary<Change> = fc.oneof(
  record.map((r) => ({ type: 'upsert' as const, record: r })),
  fc
    .record({
      story: fc.integer({ min: 0, max: 4 }),
      at: fc.integer({ min: 0, max: 20 }),
      sections: fc.constantFrom<string[]>([], ['sco'], ['economy']),
      derived: fc.boolean(),
    })
    .map(({ story, at, sections, derived }) => ({
      type: 'retract' as const,
      id: `story-${story}`,
      locale: 'kk' as const,
      at: minute(at),
      sections,
      ...(derived && { derived: true }),
    })),
)

const entries = fc
  .array(change, { maxLength: 12 })
  .map((changes) =>
    changes.map((c, i) => ({ key: `log/${String(T0 + i).padStart(15, '0')}-${i}.json`, change: c })),
  )

const options = { now: T0 + 3_600_000, tombstoneMs: 86_400_000, listedAt: T0 + 3_600_000, overlapMs: 300_000 }

/** What a reader of the feed can tell apart: the items (whole records) in order, and the tombstones. */
const visible = (s: FeedSnapshot) => ({ items: s.items, tombstones: s.tombstones, complete: s.complete })

describe('applying changes to a snapshot', () => {
  it('gives the same snapshot whatever order the changes come in', () => {
    fc.assert(
      fc.property(
        entries.chain((list) =>
          fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })),
        ),
        entries,
        ([changes, shuffled], earlier) => {
          const base = applyChanges(definition, EMPTY_SNAPSHOT, earlier, options)
          expect(visible(applyChanges(definition, base, shuffled, options))).toEqual(
            visible(applyChanges(definition, base, changes, options)),
          )
        },
      ),
      { numRuns: 500, seed: 20261205 },
    )
  })

  it('changes nothing when the same changes are applied again', () => {
    fc.assert(
      fc.property(entries, (changes) => {
        const once = applyChanges(definition, EMPTY_SNAPSHOT, changes, options)
        expect(visible(applyChanges(definition, once, changes, options))).toEqual(visible(once))
      }),
      { numRuns: 300, seed: 20261206 },
    )
  })

  it('keeps a story out of the feed once its newest version leaves the feed, whichever version came first', () => {
    const inFeed: Article = {
      id: 'moved',
      locale: 'kk',
      title: 'A',
      url: 'https://news.silkfeed.dev/kk/moved',
      publishedAt: minute(0),
      sections: ['sco'],
    }
    const moved: Article = { ...inFeed, updatedAt: minute(5), sections: ['economy'] }
    const changes = [inFeed, moved].map((r, i) => ({
      key: `k${i}`,
      change: { type: 'upsert' as const, record: r },
    }))
    for (const order of [changes, [...changes].reverse()])
      expect(applyChanges(definition, EMPTY_SNAPSHOT, order, options).items).toEqual([])
  })
})
