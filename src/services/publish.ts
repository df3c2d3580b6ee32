import type { Article } from '../domain/article.ts'
import { deriveRecord, derivedLocalesOf, normalizeRecord } from '../domain/derive.ts'
import { retractionBeats, type Change } from '../domain/feed-snapshot.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import { LOCALES, type Locale } from '../domain/locale.ts'
import type { PublishReport, RepublishPayload } from '../domain/republish.ts'
import { feedSelects } from '../domain/select-items.ts'
import { versionOf } from '../domain/version.ts'
import type { StoryHead, StoryState } from './article-repository.ts'
import type { FeedService } from './feed-service.ts'
import { allSettled } from './single-flight.ts'

/**
 * Applies a validated webhook payload: stores versions and retractions, appends them to the change
 * log, and regenerates every affected feed in every format before returning. Safe to retry: every
 * step can run again with the same outcome.
 */
export class PublishService {
  constructor(
    private readonly feeds: FeedService,
    private readonly now: () => number,
  ) {}

  async apply(payload: RepublishPayload): Promise<PublishReport> {
    const report: PublishReport = { stored: [], skipped: [], retracted: [], notFound: [], feeds: [] }
    // A story's feeds are rendered again in every locale: each item links its translations.
    const affected = new Set<FeedDefinition>()
    const touch = (record: Pick<Article, 'sections'> | undefined) => {
      if (!record) return
      for (const definition of this.feeds.feeds.all)
        if (feedSelects(definition, record)) affected.add(definition)
    }
    const repo = this.feeds.articles
    const inEveryFeed = (record: Article) => this.feeds.feeds.all.every((d) => feedSelects(d, record))
    const at = new Date(this.now()).toISOString()
    const sent = new Set((payload.upsert ?? []).map((r) => `${r.id}\u0000${r.locale}`))

    /** Does what is stored outrank this version? Reported as skipped when the editor sent it. */
    const outranked = (record: Article, head: StoryHead): boolean => {
      const reason =
        head?.kind === 'live' && head.version > versionOf(record)
          ? ('older-than-stored' as const)
          : head?.kind === 'retracted' && retractionBeats(head, record)
            ? ('retracted-later' as const)
            : undefined
      if (reason && !record.derivedFrom) {
        const stored = head!.kind === 'live' ? head!.version : head!.at
        report.skipped.push({ id: record.id, locale: record.locale, reason, stored })
      }
      return reason !== undefined
    }

    // First decide everything (what is stored tells what wins), then write it all at once: the
    // versions and retractions under keys of their own, and every change in one log entry.
    const upserts: { record: Article; head: StoryHead }[] = []
    const retractions: { id: string; locale: Locale; live: Extract<StoryState, { kind: 'live' }> }[] = []
    /** Stories already pulled, whose retraction goes into the log again (see decideRetraction). */
    const repeated: { id: string; locale: Locale; pulled: Extract<StoryState, { kind: 'retracted' }> }[] = []

    /** Decides on a story's state in one locale; `onlyDerivedFrom`: only a variant derived from it. */
    const decideRetraction = (id: string, locale: Locale, state: StoryState, onlyDerivedFrom?: Locale) => {
      if (state?.kind === 'live') {
        if (!onlyDerivedFrom || state.record.derivedFrom === onlyDerivedFrom)
          retractions.push({ id, locale, live: state })
        return
      }
      // Already pulled: a retraction sent again (or retried after a 503 that came after the
      // retraction was stored but before its log entry was) logs it again as it is stored, so every
      // feed that still shows the story loses it.
      if (state?.kind === 'retracted' && (!onlyDerivedFrom || state.derived)) {
        if (!onlyDerivedFrom) report.retracted.push({ id, locale })
        repeated.push({ id, locale, pulled: state })
      }
    }

    await allSettled([
      ...(payload.upsert ?? []).map(async (raw) => {
        const record = normalizeRecord(raw)
        // Script variants the editor did not send are derived from what they did send; stored only
        // when it wins. Every head is listed at once: one round trip to decide.
        const variants = derivedLocalesOf(record.locale)
          .filter((target) => !sent.has(`${record.id}\u0000${target}`))
          .map((target) => deriveRecord(record, target))
        const [head, ...variantHeads] = await allSettled(
          [record, ...variants].map((r) => repo.head(r.locale, r.id)),
        )
        if (outranked(record, head!)) return
        upserts.push({ record, head: head! })
        for (const [i, v] of variants.entries())
          if (!outranked(v, variantHeads[i]!)) upserts.push({ record: v, head: variantHeads[i]! })
      }),
      ...(payload.retract ?? []).map(async ({ id, locale }) => {
        if (!locale) {
          const states = await allSettled(LOCALES.map((loc) => repo.current(loc, id)))
          for (const [i, state] of states.entries()) decideRetraction(id, LOCALES[i]!, state)
          // A retraction without a locale that found nothing anywhere is one "not found", not seven.
          if (states.every((state) => state === null)) report.notFound.push({ id })
          return
        }
        const derived = derivedLocalesOf(locale)
        const [state, ...derivedStates] = await allSettled(
          [locale, ...derived].map((loc) => repo.current(loc, id)),
        )
        if (state === null || state === undefined) {
          report.notFound.push({ id, locale })
          return
        }
        decideRetraction(id, locale, state)
        for (const [i, target] of derived.entries()) decideRetraction(id, target, derivedStates[i]!, locale)
      }),
    ])

    const changes: Change[] = [
      ...upserts.map(({ record }) => ({ type: 'upsert' as const, record })),
      ...retractions.map(({ id, locale, live }) => ({
        type: 'retract' as const,
        id,
        locale,
        at,
        sections: live.record.sections,
        ...(live.derived && { derived: true }),
      })),
      // The pulled version's sections are not at hand: a feed drops the story if it shows it.
      ...repeated.map(({ id, locale, pulled }) => ({
        type: 'retract' as const,
        id,
        locale,
        at: pulled.at,
        sections: [],
        ...(pulled.derived && { derived: true }),
      })),
    ]
    // All durable before any render starts; none depends on another.
    const [previous] = await allSettled([
      // The feeds of a story's previous version are touched too (it may have changed sections); not
      // read on a retry, which writes the version it wrote before (nor a key to read while it is
      // rewritten, which a store without atomic writes such as s3rver would garble), nor when every
      // feed carries the new version.
      allSettled(
        upserts.map(({ record, head }) =>
          head?.kind === 'live' && head.version !== versionOf(record) && !inEveryFeed(record)
            ? repo.record(head.key)
            : null,
        ),
      ),
      allSettled([
        ...upserts.map(({ record }) => repo.putVersion(record)),
        ...retractions.map(({ id, locale, live }) => repo.putRetraction(locale, id, at, live.derived)),
        changes.length > 0 ? repo.appendChanges(changes, this.now()) : null,
      ]),
    ])
    for (const { record } of upserts) {
      report.stored.push({
        id: record.id,
        locale: record.locale,
        version: versionOf(record),
        ...(record.derivedFrom && { derivedFrom: record.derivedFrom }),
      })
      touch(record)
    }
    for (const earlier of previous) touch(earlier ?? undefined)
    for (const { id, locale, live } of retractions) {
      report.retracted.push({ id, locale })
      touch(live.record)
    }
    // Which feeds showed a story pulled before is not known without its record: all are rendered.
    if (repeated.length > 0) for (const definition of this.feeds.feeds.all) affected.add(definition)

    const rebuild =
      payload.rebuild === 'all'
        ? this.feeds.feeds.all
        : (payload.rebuild ?? []).map((id) => this.feeds.feeds.find(id)!)
    for (const definition of rebuild) affected.add(definition)

    const rendered = await allSettled(
      [...affected].map((definition) => this.feeds.renderAndStore(definition)),
    )
    for (const bundle of rendered.flat()) {
      report.feeds.push({
        feed: bundle.feedId,
        locale: bundle.locale,
        format: bundle.format,
        etag: bundle.variants.identity.etag,
        items: bundle.itemCount,
        lastModified: new Date(bundle.lastModified).toISOString(),
      })
    }
    sortReport(report)
    return report
  }
}

function sortReport(report: PublishReport): void {
  const key = (x: { id?: string; feed?: string; locale?: string; format?: string }) =>
    `${x.id ?? x.feed}/${x.locale ?? ''}/${x.format ?? ''}`
  const byKey = (a: Parameters<typeof key>[0], b: Parameters<typeof key>[0]) => key(a).localeCompare(key(b))
  report.stored.sort(byKey)
  report.skipped.sort(byKey)
  report.retracted.sort(byKey)
  report.notFound.sort(byKey)
  report.feeds.sort(byKey)
}
