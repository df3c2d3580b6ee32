import type { RepublishPayload } from '../domain/republish.ts'
import { changesOf, type PublishPlan } from './publish-plan.ts'

/** The stories of a payload a republish decides at once: their writes start while the next are derived. */
const PART_STORIES = 25

/** A part of a payload: the records and retractions of some of its stories, in the payload's order. */
export type PayloadPart = Pick<RepublishPayload, 'upsert' | 'retract'>

type WholePart = Required<PayloadPart>

/**
 * Cuts a payload into parts of at most `stories` story ids, every record and retraction of a story
 * in the same part (stories in the order the payload first names them). A part's decision depends
 * only on its own stories (its lookups, and which variants its editor sent), so deciding the parts
 * one by one decides what deciding the payload at once would, and a part's writes can start while
 * the next part is derived and looked up.
 */
export function partsOf(payload: PayloadPart, stories = PART_STORIES): PayloadPart[] {
  if (!Number.isInteger(stories) || stories < 1) throw new RangeError(`a part of ${stories} stories`)
  const byStory = new Map<string, WholePart>()
  const storyOf = (id: string) => {
    let story = byStory.get(id)
    if (!story) byStory.set(id, (story = { upsert: [], retract: [] }))
    return story
  }
  for (const record of payload.upsert ?? []) storyOf(record.id).upsert.push(record)
  for (const retraction of payload.retract ?? []) storyOf(retraction.id).retract.push(retraction)
  const parts: PayloadPart[] = []
  let part: WholePart | undefined
  let count = 0
  for (const story of byStory.values()) {
    if (!part || count === stories) {
      parts.push((part = { upsert: [], retract: [] }))
      count = 0
    }
    part.upsert.push(...story.upsert)
    part.retract.push(...story.retract)
    count++
  }
  return parts
}

/** The plans of a payload's parts as one plan: what deciding the payload at once holds, part by part. */
export function mergePlans(at: string, plans: readonly PublishPlan[]): PublishPlan {
  const merged = {
    at,
    upserts: plans.flatMap((plan) => plan.upserts),
    retractions: plans.flatMap((plan) => plan.retractions),
    repeated: plans.flatMap((plan) => plan.repeated),
  }
  return {
    ...merged,
    changes: changesOf(merged),
    report: {
      skipped: plans.flatMap((plan) => plan.report.skipped),
      retracted: plans.flatMap((plan) => plan.report.retracted),
      notFound: plans.flatMap((plan) => plan.report.notFound),
    },
  }
}
