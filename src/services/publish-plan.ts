import { embargoOf, lastChangeOf, type Article } from '../domain/article.ts'
import { deriveRecord, derivedLocalesOf, normalizeRecord } from '../domain/derive.ts'
import { retractionBeats, type Change } from '../domain/feed-snapshot.ts'
import { LOCALES, type Locale } from '../domain/locale.ts'
import { DEFAULT_RETRACTION_REASON, strongerReason, type RetractionReason } from '../domain/retraction.ts'
import type { PublishReport, RepublishPayload } from '../domain/republish.ts'
import { versionOf } from '../domain/version.ts'
import { storyKey, type StoryHead, type StoryRef, type StoryState } from './article-repository.ts'

/** A payload as ingest stores it: each editor's record normalized, with the variants derived from it. */
export interface ExpandedPayload {
  upsert: { record: Article; variants: Article[] }[]
  retract: { id: string; locale?: Locale; reason?: RetractionReason }[]
}

/** What storage says about the stories a payload names: heads for upserts, states for retractions. */
export interface Lookups {
  heads: ReadonlyMap<string, StoryHead>
  states: ReadonlyMap<string, StoryState>
}

type Live = Extract<StoryState, { kind: 'live' }>
type Pulled = Extract<StoryState, { kind: 'retracted' }>

/** What a republish writes and reports, decided from the payload and what is stored. */
export interface PublishPlan {
  /** When the retractions were signed: the time they are stored and logged with. */
  at: string
  /** Versions that win, with what was stored before them. */
  upserts: { record: Article; head: StoryHead }[]
  /**
   * Live stories the retractions pull, and pulled stories a weightier reason pulls again (a kill of
   * a withdrawal: `live` is the version pulled, stored again just after the retraction it outranks).
   */
  retractions: {
    id: string
    locale: Locale
    live: Live
    reason: RetractionReason
    /** The public never saw the story (pulled under embargo, none released before): nor learns of it. */
    embargoed: boolean
    /** When it is stored and logged, if not at the plan's `at`. */
    at?: string
  }[]
  /**
   * Stories already pulled for the same reason, whose stored retraction goes into the log again as
   * it is stored (a retry after a failure that came before its log entry was written).
   */
  repeated: { id: string; locale: Locale; pulled: Pulled; sections: string[] }[]
  /** Every change, for one log entry. */
  changes: Change[]
  report: Pick<PublishReport, 'skipped' | 'retracted' | 'notFound'>
}

/** Normalizes the payload's records and derives the script variants the editor did not send. */
export function expandPayload(payload: RepublishPayload): ExpandedPayload {
  const expand = expanderOf(payload)
  return { upsert: (payload.upsert ?? []).map(expand), retract: payload.retract ?? [] }
}

/**
 * The same, a record at a time, letting the event loop run every few milliseconds: deriving a
 * thousand records is the longest stretch of CPU a webhook has, and storage requests started
 * before it (the lookups) make progress meanwhile.
 */
export async function expandPayloadInTurns(payload: RepublishPayload, turnMs = 8): Promise<ExpandedPayload> {
  const expand = expanderOf(payload)
  const upsert: ExpandedPayload['upsert'] = []
  let turn = performance.now()
  for (const raw of payload.upsert ?? []) {
    upsert.push(expand(raw))
    if (performance.now() - turn < turnMs) continue
    await new Promise((resolve) => setTimeout(resolve, 0))
    turn = performance.now()
  }
  return { upsert, retract: payload.retract ?? [] }
}

/** Expands one editor's record of `payload`: normalized, with the variants the payload lacks. */
function expanderOf(payload: RepublishPayload): (raw: Article) => ExpandedPayload['upsert'][number] {
  const sent = sentOf(payload)
  return (raw) => {
    const record = normalizeRecord(raw)
    const variants = derivedLocalesOf(record.locale)
      .filter((target) => !sent.has(`${record.id}\u0000${target}`))
      .map((target) => deriveRecord(record, target))
    return { record, variants }
  }
}

const sentOf = (payload: RepublishPayload) =>
  new Set((payload.upsert ?? []).map((r) => `${r.id}\u0000${r.locale}`))

/**
 * The stories to look up: heads of every version sent or to be derived, states of every retraction
 * target. Known from the payload as sent (ids and locales), before anything is derived.
 */
export function lookupsOf(payload: RepublishPayload): { heads: StoryRef[]; states: StoryRef[] } {
  const sent = sentOf(payload)
  return {
    heads: (payload.upsert ?? []).flatMap(({ id, locale }) => [
      { id, locale },
      ...derivedLocalesOf(locale)
        .filter((target) => !sent.has(`${id}\u0000${target}`))
        .map((target) => ({ id, locale: target })),
    ]),
    states: (payload.retract ?? []).flatMap(({ id, locale }) =>
      (locale ? [locale, ...derivedLocalesOf(locale)] : LOCALES).map((l) => ({ id, locale: l })),
    ),
  }
}

/**
 * Decides a republish: which versions win over what is stored, which retractions apply. A retraction
 * signed at `at` pulls only versions that changed at or before `at`: sent again after the editor
 * published the story anew, it changes nothing.
 */
export function decide(payload: ExpandedPayload, lookups: Lookups, at: string): PublishPlan {
  const plan: PublishPlan = {
    at,
    upserts: [],
    retractions: [],
    repeated: [],
    changes: [],
    report: { skipped: [], retracted: [], notFound: [] },
  }
  const { skipped, retracted, notFound } = plan.report
  const signedAt = Date.parse(at)

  /** Does what is stored outrank this version? Reported as skipped when the editor sent it. */
  const outranked = (record: Article, head: StoryHead): boolean => {
    const reason =
      head?.kind === 'live' && head.version > versionOf(record)
        ? ('older-than-stored' as const)
        : head?.kind === 'retracted' && retractionBeats(head, record)
          ? ('retracted-later' as const)
          : undefined
    if (reason && !record.derivedFrom) {
      skipped.push({
        id: record.id,
        locale: record.locale,
        reason,
        stored: head!.kind === 'live' ? head!.version : head!.at,
      })
    }
    return reason !== undefined
  }
  for (const { record, variants } of payload.upsert) {
    const head = lookups.heads.get(storyKey(record)) ?? null
    if (outranked(record, head)) continue
    plan.upserts.push({ record, head })
    for (const variant of variants) {
      const variantHead = lookups.heads.get(storyKey(variant)) ?? null
      if (!outranked(variant, variantHead)) plan.upserts.push({ record: variant, head: variantHead })
    }
  }

  /** Decides on a story's state in one locale; `onlyDerivedFrom`: only a variant derived from it. */
  const retract = (
    id: string,
    locale: Locale,
    state: StoryState,
    reason: RetractionReason,
    onlyDerivedFrom?: Locale,
  ) => {
    if (state?.kind === 'live') {
      if (onlyDerivedFrom && state.record.derivedFrom !== onlyDerivedFrom) return
      if (lastChangeOf(state.record) > signedAt) {
        if (!onlyDerivedFrom)
          skipped.push({ id, locale, reason: 'newer-than-retraction', stored: state.version })
        return
      }
      const embargo = embargoOf(state.record)
      const embargoed = embargo !== undefined && embargo > signedAt && state.releasedBefore !== true
      plan.retractions.push({ id, locale, live: state, reason, embargoed })
      retracted.push({ id, locale })
      return
    }
    if (state?.kind === 'retracted' && (!onlyDerivedFrom || state.derived)) {
      if (!onlyDerivedFrom) retracted.push({ id, locale })
      const stored = state.reason ?? DEFAULT_RETRACTION_REASON
      if (strongerReason(stored, reason) !== stored) {
        // A weightier reason (a kill of a withdrawal) is stored and logged as a first retraction,
        // with the sections of the version pulled, after the retraction it outranks.
        if (!state.pulled) return // a retraction always follows a version: not reached
        const { record, version } = state.pulled
        plan.retractions.push({
          id,
          locale,
          live: { kind: 'live', record, version, derived: state.derived },
          reason,
          embargoed: state.embargoed === true,
          ...(Date.parse(state.at) >= signedAt && { at: new Date(Date.parse(state.at) + 1).toISOString() }),
        })
      } else if (reason === stored) {
        // The same retraction sent again (or retried after a 503 that came after the retraction was
        // stored but before its log entry was) is logged again as it is stored, so every feed that
        // still shows the story loses it. A lighter reason changes nothing: a replayed withdrawal
        // never undoes a kill, in storage or in the log.
        plan.repeated.push({ id, locale, pulled: state, sections: state.pulled?.record.sections ?? [] })
      }
    }
  }
  for (const { id, locale, reason = DEFAULT_RETRACTION_REASON } of payload.retract) {
    const stateIn = (l: Locale) => lookups.states.get(storyKey({ id, locale: l })) ?? null
    if (!locale) {
      for (const l of LOCALES) retract(id, l, stateIn(l), reason)
      // A retraction without a locale that found nothing anywhere is one "not found", not seven.
      if (LOCALES.every((l) => stateIn(l) === null)) notFound.push({ id })
      continue
    }
    if (stateIn(locale) === null) {
      notFound.push({ id, locale })
      continue
    }
    retract(id, locale, stateIn(locale), reason)
    for (const target of derivedLocalesOf(locale)) retract(id, target, stateIn(target), reason, locale)
  }

  plan.changes = changesOf(plan)
  return plan
}

/** A plan's one log entry: its upserts, then its retractions, then its repeated retractions. */
export function changesOf(plan: Pick<PublishPlan, 'at' | 'upserts' | 'retractions' | 'repeated'>): Change[] {
  return [
    ...plan.upserts.map(({ record }) => ({ type: 'upsert' as const, record })),
    ...plan.retractions.map(({ id, locale, live, reason, embargoed, at }) => ({
      type: 'retract' as const,
      id,
      locale,
      at: at ?? plan.at,
      sections: live.record.sections,
      ...(live.derived && { derived: true }),
      reason,
      ...(embargoed && { embargoed }),
    })),
    // Without the pulled version's sections (none found), a feed drops the story if it shows it.
    ...plan.repeated.map(({ id, locale, pulled, sections }) => ({
      type: 'retract' as const,
      id,
      locale,
      at: pulled.at,
      sections,
      ...(pulled.derived && { derived: true }),
      reason: pulled.reason ?? DEFAULT_RETRACTION_REASON,
      ...(pulled.embargoed && { embargoed: true }),
    })),
  ]
}
