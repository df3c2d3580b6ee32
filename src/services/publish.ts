import type { Article } from '../domain/article.ts'
import type { FeedDefinition } from '../domain/feed-definition.ts'
import { LOCALES, type Locale } from '../domain/locale.ts'
import type { PublishReport, RepublishPayload } from '../domain/republish.ts'
import { feedSelects } from '../domain/select-items.ts'
import { versionOf } from '../domain/version.ts'
import type { FeedService } from './feed-service.ts'

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
    const affected = new Map<string, { definition: FeedDefinition; locale: Locale }>()
    const touch = (definition: FeedDefinition, locale: Locale) => {
      if (definition.locales.includes(locale))
        affected.set(`${definition.id}/${locale}`, { definition, locale })
    }
    const repo = this.feeds.articles
    const at = new Date(this.now()).toISOString()

    await Promise.all([
      ...(payload.upsert ?? []).map(async (record) => {
        const current = await repo.current(record.locale, record.id)
        const version = versionOf(record)
        if (current?.kind === 'live' && current.version > version) {
          report.skipped.push({
            id: record.id,
            locale: record.locale,
            reason: 'older-than-stored',
            stored: current.version,
          })
          return
        }
        if (
          current?.kind === 'retracted' &&
          Date.parse(current.at) >= Date.parse(record.updatedAt ?? record.publishedAt)
        ) {
          report.skipped.push({
            id: record.id,
            locale: record.locale,
            reason: 'retracted-later',
            stored: current.at,
          })
          return
        }
        // Both are durable before any render starts; neither depends on the other.
        await Promise.all([
          repo.putVersion(record),
          repo.appendChange(record.locale, { type: 'upsert', record }, this.now()),
        ])
        report.stored.push({ id: record.id, locale: record.locale, version })
        // A story that changed sections must also leave the feeds that selected its previous version.
        const previous: Article | undefined = current?.kind === 'live' ? current.record : undefined
        for (const definition of this.feeds.feeds.all) {
          if (feedSelects(definition, record) || (previous && feedSelects(definition, previous))) {
            touch(definition, record.locale)
          }
        }
      }),
      ...(payload.retract ?? []).flatMap(({ id, locale }) =>
        (locale ? [locale] : [...LOCALES]).map(async (loc) => {
          const current = await repo.current(loc, id)
          if (current?.kind !== 'live') {
            // Nothing live to pull; re-sending a retraction still refreshes its tombstone.
            if (current?.kind === 'retracted') report.retracted.push({ id, locale: loc })
            else if (locale) report.notFound.push({ id, locale: loc })
            return
          }
          await repo.putRetraction(loc, id, at)
          await repo.appendChange(
            loc,
            { type: 'retract', id, locale: loc, at, sections: current.record.sections },
            this.now(),
          )
          report.retracted.push({ id, locale: loc })
          for (const definition of this.feeds.feeds.all) {
            if (feedSelects(definition, current.record)) touch(definition, loc)
          }
        }),
      ),
    ])
    const rebuild =
      payload.rebuild === 'all'
        ? this.feeds.feeds.all
        : (payload.rebuild ?? []).map((id) => this.feeds.feeds.find(id)!)
    for (const definition of rebuild) for (const locale of definition.locales) touch(definition, locale)
    // A retraction without a locale that found nothing anywhere is one "not found", not four.
    for (const { id, locale } of payload.retract ?? []) {
      if (!locale && !report.retracted.some((r) => r.id === id)) report.notFound.push({ id })
    }

    const rendered = await Promise.all(
      [...affected.values()].map(({ definition, locale }) => this.feeds.renderAndStore(definition, locale)),
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
