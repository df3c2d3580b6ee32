import type { Article } from '../domain/article.ts'
import { deriveRecord, derivedLocalesOf, normalizeRecord } from '../domain/derive.ts'
import { retractionBeats } from '../domain/feed-snapshot.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import { LOCALES, type Locale } from '../domain/locale.ts'
import type { PublishReport, RepublishPayload } from '../domain/republish.ts'
import { feedSelects } from '../domain/select-items.ts'
import { versionOf } from '../domain/version.ts'
import type { StoryHead } from './article-repository.ts'
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

    /** Stores a version that won; the feeds of its previous version are touched too (it may have changed sections). */
    const store = async (record: Article, head: StoryHead): Promise<void> => {
      // All durable before any render starts; none depends on another.
      const [, , previous] = await allSettled([
        repo.putVersion(record),
        repo.appendChange(record.locale, { type: 'upsert', record }, this.now()),
        // A retry writes the version it wrote before: nothing else to read (nor a key to read while
        // it is rewritten, which a store without atomic writes such as s3rver would garble). Nor
        // when every feed carries the new version: the previous one's feeds are touched anyway.
        head?.kind === 'live' && head.version !== versionOf(record) && !inEveryFeed(record)
          ? repo.record(head.key)
          : null,
      ])
      report.stored.push({
        id: record.id,
        locale: record.locale,
        version: versionOf(record),
        ...(record.derivedFrom && { derivedFrom: record.derivedFrom }),
      })
      touch(record)
      if (previous) touch(previous)
    }

    /** Pulls one story in one locale; `onlyDerivedFrom` limits it to a variant derived from that locale. */
    const retract = async (id: string, locale: Locale, onlyDerivedFrom?: Locale): Promise<boolean> => {
      const current = await repo.current(locale, id)
      if (onlyDerivedFrom && !(current?.kind === 'live' && current.record.derivedFrom === onlyDerivedFrom))
        return false
      if (current?.kind !== 'live') {
        // Nothing live to pull; re-sending a retraction still refreshes its tombstone.
        if (current?.kind === 'retracted') report.retracted.push({ id, locale })
        return current?.kind === 'retracted'
      }
      await repo.putRetraction(locale, id, at, current.derived)
      const change = {
        type: 'retract' as const,
        id,
        locale,
        at,
        sections: current.record.sections,
        ...(current.derived && { derived: true }),
      }
      await repo.appendChange(locale, change, this.now())
      report.retracted.push({ id, locale })
      touch(current.record)
      return true
    }

    await allSettled([
      ...(payload.upsert ?? []).map(async (raw) => {
        const record = normalizeRecord(raw)
        // Script variants the editor did not send are derived from what they did send; stored only
        // when it wins. Every head is listed at once: one round trip to decide, one to store.
        const variants = derivedLocalesOf(record.locale)
          .filter((target) => !sent.has(`${record.id}\u0000${target}`))
          .map((target) => deriveRecord(record, target))
        const [head, ...variantHeads] = await allSettled(
          [record, ...variants].map((r) => repo.head(r.locale, r.id)),
        )
        if (outranked(record, head!)) return
        await allSettled([
          store(record, head!),
          ...variants.map((v, i) => (outranked(v, variantHeads[i]!) ? null : store(v, variantHeads[i]!))),
        ])
      }),
      ...(payload.retract ?? []).map(async ({ id, locale }) => {
        if (!locale) {
          const found = await allSettled(LOCALES.map((loc) => retract(id, loc)))
          // A retraction without a locale that found nothing anywhere is one "not found", not seven.
          if (!found.some(Boolean)) report.notFound.push({ id })
          return
        }
        if (!(await retract(id, locale))) {
          report.notFound.push({ id, locale })
          return
        }
        await allSettled(derivedLocalesOf(locale).map((target) => retract(id, target, locale)))
      }),
    ])
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
