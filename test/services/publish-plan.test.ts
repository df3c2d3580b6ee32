import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lastChangeOf, type Article } from '../../src/domain/article.ts'
import { retractionBeats } from '../../src/domain/feed-snapshot.ts'
import type { Locale } from '../../src/domain/locale.ts'
import type { RepublishPayload } from '../../src/domain/republish.ts'
import { versionOf } from '../../src/domain/version.ts'
import { storyKey, type StoryHead, type StoryState } from '../../src/services/article-repository.ts'
import { mergePlans, partsOf } from '../../src/services/publish-parts.ts'
import {
  decide,
  expandPayload,
  expandPayloadInTurns,
  lookupsOf,
  type PublishPlan,
} from '../../src/services/publish-plan.ts'

const T0 = Date.parse('2026-12-01T00:00:00Z')
const minute = (n: number) => new Date(T0 + n * 60_000).toISOString()
const SIGNED = minute(10)

function article(id: string, locale: Locale, updated: number, title = 'T'): Article {
  return {
    id,
    locale,
    title,
    url: `https://news.silkfeed.dev/${locale}/${id}`,
    publishedAt: minute(0),
    updatedAt: minute(updated),
    sections: ['sco'],
  }
}

const time = fc.integer({ min: 0, max: 20 })
const story = fc.constantFrom('a', 'b', 'c')
const locale = fc.constantFrom<Locale>('ru', 'kk')

/** What storage holds for one story in one locale: nothing, a live version, or a retraction. */
const stored = fc.oneof(
  fc.constant('none' as const),
  fc.record({ kind: fc.constant('live' as const), updated: time, title: fc.constantFrom('T', 'U') }),
  fc.record({ kind: fc.constant('retracted' as const), at: time }),
)

const payload: fc.Arbitrary<RepublishPayload> = fc.record({
  upsert: fc.uniqueArray(
    fc
      .record({ id: story, locale, updated: time })
      .map(({ id, locale, updated }) => article(id, locale, updated)),
    { selector: (r) => `${r.id}/${r.locale}`, maxLength: 4 },
  ),
  retract: fc.array(fc.record({ id: story, locale: fc.option(locale, { nil: undefined }) }), {
    maxLength: 3,
  }),
})

/** A payload with what storage holds for every story it names. */
const scenario = payload.chain((p) => {
  const expanded = expandPayload(p)
  const wanted = lookupsOf(p)
  const refs = [...wanted.heads, ...wanted.states]
  return fc
    .tuple(fc.constant(expanded), fc.array(stored, { minLength: refs.length, maxLength: refs.length }))
    .map(([expanded, held]) => {
      const heads = new Map<string, StoryHead>()
      const states = new Map<string, StoryState>()
      refs.forEach((ref, i) => {
        const h = held[i]!
        const key = storyKey(ref)
        if (h === 'none') {
          heads.set(key, null)
          states.set(key, null)
        } else if (h.kind === 'live') {
          const record = article(ref.id, ref.locale, h.updated, h.title)
          const version = versionOf(record)
          heads.set(key, { kind: 'live', key: `k/${version}`, version, derived: false })
          states.set(key, { kind: 'live', record, version, derived: false })
        } else {
          heads.set(key, { kind: 'retracted', key: `k/${h.at}`, at: minute(h.at), derived: false })
          states.set(key, { kind: 'retracted', at: minute(h.at), derived: false })
        }
      })
      return { payload: p, expanded, lookups: { heads, states } }
    })
})

describe('deciding a republish', () => {
  it('stores each version sent exactly when nothing stored outranks it, and reports the others as skipped', () => {
    fc.assert(
      fc.property(scenario, ({ expanded, lookups }) => {
        const plan = decide(expanded, lookups, SIGNED)
        for (const { record } of expanded.upsert) {
          const head = lookups.heads.get(storyKey(record)) ?? null
          const loses =
            (head?.kind === 'live' && head.version > versionOf(record)) ||
            (head?.kind === 'retracted' && retractionBeats(head, record))
          const stored = plan.upserts.some((u) => u.record === record)
          const skipped = plan.report.skipped.some(
            (s) => s.id === record.id && s.locale === record.locale && s.reason !== 'newer-than-retraction',
          )
          expect({ stored, skipped }).toEqual({ stored: !loses, skipped: loses })
        }
      }),
      { numRuns: 400, seed: 20261205 },
    )
  })

  it('never lets a retraction pull a version that changed after it was signed, and pulls every one before', () => {
    fc.assert(
      fc.property(scenario, ({ expanded, lookups }) => {
        const plan = decide(expanded, lookups, SIGNED)
        for (const { live } of plan.retractions)
          expect(lastChangeOf(live.record)).toBeLessThanOrEqual(Date.parse(SIGNED))
        for (const { id, locale } of expanded.retract) {
          if (!locale) continue
          const state = lookups.states.get(storyKey({ id, locale }))
          if (state?.kind !== 'live') continue
          const pulled = plan.retractions.some((r) => r.id === id && r.locale === locale)
          expect(pulled).toBe(lastChangeOf(state.record) <= Date.parse(SIGNED))
        }
      }),
      { numRuns: 400, seed: 20261206 },
    )
  })

  it('logs exactly what it stores and pulls, retractions at their signed time', () => {
    fc.assert(
      fc.property(scenario, ({ expanded, lookups }) => {
        const plan = decide(expanded, lookups, SIGNED)
        expect(plan.changes.filter((c) => c.type === 'upsert').map((c) => c.record)).toEqual(
          plan.upserts.map((u) => u.record),
        )
        const retractions = plan.changes.filter((c) => c.type === 'retract')
        expect(retractions).toHaveLength(plan.retractions.length + plan.repeated.length)
        for (const r of retractions.slice(0, plan.retractions.length)) expect(r.at).toBe(SIGNED)
        // Pure: the same inputs decide the same plan.
        expect(decide(expanded, lookups, SIGNED)).toEqual(plan)
      }),
      { numRuns: 200, seed: 20261207 },
    )
  })

  it('looks up, before deriving anything, exactly the stories the expanded payload holds', async () => {
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        const expanded = expandPayload(p)
        const held = expanded.upsert.flatMap(({ record, variants }) => [record, ...variants])
        expect(lookupsOf(p).heads).toEqual(held.map(({ id, locale }) => ({ id, locale })))
        // Derived a record at a time, letting the event loop run between turns: the same records.
        expect(await expandPayloadInTurns(p, 0)).toEqual(expanded)
      }),
      { numRuns: 100, seed: 20261208 },
    )
  })

  it('reports a retraction of a story stored nowhere as one not-found entry', () => {
    const expanded = expandPayload({ retract: [{ id: 'gone' }, { id: 'gone', locale: 'ru' }] })
    const plan = decide(expanded, { heads: new Map(), states: new Map() }, SIGNED)
    expect(plan.report.notFound).toEqual([{ id: 'gone' }, { id: 'gone', locale: 'ru' }])
    expect(plan.changes).toEqual([])
  })

  it('decides a payload cut into parts of any size as it decides the whole, each story in the order sent', () => {
    /** A plan's lists in an order that does not depend on how the payload was cut, and each story's changes in order. */
    const canonical = (plan: PublishPlan) => {
      const sorted = (list: readonly unknown[]) => list.map((x) => JSON.stringify(x)).sort()
      const byStory = new Map<string, string[]>()
      for (const change of plan.changes) {
        const id = change.type === 'upsert' ? change.record.id : change.id
        byStory.set(id, [...(byStory.get(id) ?? []), JSON.stringify(change)])
      }
      return {
        upserts: sorted(plan.upserts),
        retractions: sorted(plan.retractions),
        repeated: sorted(plan.repeated),
        changeTypes: plan.changes.map((c) => c.type),
        storyChanges: [...byStory].sort(([a], [b]) => a.localeCompare(b)),
        report: [sorted(plan.report.skipped), sorted(plan.report.retracted), sorted(plan.report.notFound)],
      }
    }
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1, max: 3 }), ({ payload: p, lookups }, stories) => {
        const parts = partsOf(p, stories)
        // Every record and retraction is in exactly one part, a story never in two.
        expect(parts.flatMap((part) => part.upsert ?? []).length).toBe(p.upsert?.length ?? 0)
        expect(parts.flatMap((part) => part.retract ?? []).length).toBe(p.retract?.length ?? 0)
        const ids = parts.map(
          (part) => new Set([...(part.upsert ?? []), ...(part.retract ?? [])].map(({ id }) => id)),
        )
        for (const [i, part] of ids.entries()) {
          expect(part.size).toBeLessThanOrEqual(stories)
          for (const later of ids.slice(i + 1)) for (const id of part) expect(later.has(id)).toBe(false)
        }
        const whole = decide(expandPayload(p), lookups, SIGNED)
        const merged = mergePlans(
          SIGNED,
          parts.map((part) => decide(expandPayload(part), lookups, SIGNED)),
        )
        expect(canonical(merged)).toEqual(canonical(whole))
      }),
      { numRuns: 400, seed: 20261209 },
    )
  })

  it('refuses a part size that is not a positive whole number', () => {
    expect(() => partsOf({ upsert: [] }, 0)).toThrow(RangeError)
    expect(() => partsOf({ upsert: [] }, 1.5)).toThrow(RangeError)
  })
})
