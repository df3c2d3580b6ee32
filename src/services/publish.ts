import type { Article } from '../domain/article.ts'
import type { FeedCatalog, FeedDefinition } from '../domain/feed-definition.ts'
import type { PublishReport, RepublishPayload } from '../domain/republish.ts'
import { feedSelects } from '../domain/select-items.ts'
import { versionOf } from '../domain/version.ts'
import { REPOSITORY_CONCURRENCY, type ArticleRepository } from './article-repository.ts'
import type { ChangeLog, LogEntry } from './change-log.ts'
import type { FeedBundle } from './feed-bundle.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { Clock } from '../ports/observability.ts'
import { decide, expandPayloadInTurns, lookupsOf, type PublishPlan } from './publish-plan.ts'
import { allSettled, mapWithLimit } from './single-flight.ts'

/**
 * How many of a republish's writes are under way at once. Each story's versions wait for its marker
 * (see story-index.ts), so a window of a few stories would leave storage slots idle meanwhile; the
 * storage limiter, not this window, bounds the requests that run at once.
 */
const WRITE_WINDOW = 4 * REPOSITORY_CONCURRENCY

/** What a republish needs: the articles, the change log, the catalogue and a render of a feed. */
export interface PublishDeps {
  articles: ArticleRepository
  /**
   * The store as one republish reads and writes its articles through: its requests wait behind
   * readers for the process's storage slots, so that a batch of a thousand records may use every
   * free slot and a reader still gets the next one.
   */
  requestStore?: () => ObjectStore
  changeLog: ChangeLog
  catalog: FeedCatalog
  /** Renders and stores a feed, covering (at least) the log entries given. */
  render: (definition: FeedDefinition, written: readonly LogEntry[]) => Promise<FeedBundle[]>
  now: Clock
}

/**
 * Applies a validated webhook payload in four steps: decide (what wins, from what is stored), write
 * (versions, retractions and one change-log entry), render (every affected feed in every format,
 * before returning), report. Safe to retry: every step can run again with the same outcome.
 */
export class PublishService {
  constructor(private readonly deps: PublishDeps) {}

  /**
   * Applies a payload. `signedAt` (ms) is when its sender signed it: a retraction pulls only
   * versions that changed by then, so a captured retraction sent again pulls nothing new.
   */
  async apply(payload: RepublishPayload, signedAt = this.deps.now()): Promise<PublishReport> {
    const { requestStore } = this.deps
    const articles = requestStore ? this.deps.articles.within(requestStore()) : this.deps.articles
    // What is stored is looked up while the variants are derived: neither needs the other.
    const wanted = lookupsOf(payload)
    const lookups = allSettled([articles.heads(wanted.heads), articles.currents(wanted.states)])
    lookups.catch(() => undefined) // awaited below, after the derivation
    const expanded = await expandPayloadInTurns(payload)
    const [heads, states] = await lookups
    const plan = decide(expanded, { heads, states }, new Date(signedAt).toISOString())
    const { entry, durable, previous } = this.#write(plan, articles)
    // Feeds are rendered while the writes are under way; none is stored before they are durable.
    const rendered = previous.then((earlier) => {
      const affected = this.#affected(plan, earlier, payload.rebuild)
      const written = entry ? [{ ...entry, durable }] : []
      return allSettled([...affected].map((definition) => this.deps.render(definition, written)))
    })
    const [, bundles] = await allSettled([durable, rendered])
    return report(plan, bundles.flat())
  }

  /**
   * Starts storing the plan's versions and retractions and appending its changes (none depends on
   * another; `durable` when all are). Reads meanwhile the previous versions of the stories whose
   * feeds may change: not on a retry, which writes the version it wrote before (nor a key read while
   * it is rewritten, which a store without atomic writes such as s3rver would garble), nor when
   * every feed carries the new version.
   */
  #write(
    plan: PublishPlan,
    articles: ArticleRepository,
  ): {
    entry: LogEntry | undefined
    durable: Promise<unknown>
    previous: Promise<(Article | null)[]>
  } {
    const { changeLog, catalog } = this.deps
    const inEveryFeed = (record: Article) => catalog.all.every((d) => feedSelects(d, record))
    const earlier = plan.upserts.flatMap(({ record, head }) =>
      head?.kind === 'live' && head.version !== versionOf(record) && !inEveryFeed(record) ? [head.key] : [],
    )
    const writes: (() => Promise<unknown>)[] = [
      ...plan.upserts.map(
        ({ record }) =>
          () =>
            articles.putVersion(record),
      ),
      ...plan.retractions.map(
        ({ id, locale, live, reason, embargoed }) =>
          () =>
            articles.putRetraction(locale, id, plan.at, live.derived, reason, embargoed),
      ),
    ]
    const appending = plan.changes.length > 0 ? changeLog.start(plan.changes) : undefined
    const durable = allSettled([mapWithLimit(writes, WRITE_WINDOW, (write) => write()), appending?.durable])
    // Both are awaited by apply; neither may count as unhandled meanwhile.
    durable.catch(() => undefined)
    const previous = mapWithLimit(earlier, REPOSITORY_CONCURRENCY, (key) => articles.record(key))
    previous.catch(() => undefined)
    return { entry: appending?.entry, durable, previous }
  }

  /** The feeds to render: those a stored, earlier or pulled version is in, and those asked to be rebuilt. */
  #affected(
    plan: PublishPlan,
    previous: readonly (Article | null)[],
    rebuild: RepublishPayload['rebuild'],
  ): Set<FeedDefinition> {
    const { catalog } = this.deps
    // A story's feeds are rendered again in every locale: each item links its translations.
    const affected = new Set<FeedDefinition>()
    const touch = (record: Pick<Article, 'sections'>) => {
      for (const definition of catalog.all) if (feedSelects(definition, record)) affected.add(definition)
    }
    for (const { record } of plan.upserts) touch(record)
    for (const record of previous) if (record) touch(record)
    for (const { live } of plan.retractions) touch(live.record)
    // Which feeds showed a story pulled before is not known without its record: all are rendered.
    if (plan.repeated.length > 0) for (const definition of catalog.all) affected.add(definition)
    const rebuilt = rebuild === 'all' ? catalog.all : (rebuild ?? []).map((id) => catalog.find(id)!)
    for (const definition of rebuilt) affected.add(definition)
    return affected
  }
}

/** The webhook's answer: what was stored, skipped, pulled and not found, and every feed rendered. */
function report(plan: PublishPlan, bundles: readonly FeedBundle[]): PublishReport {
  const result: PublishReport = {
    ...plan.report,
    stored: plan.upserts.map(({ record }) => ({
      id: record.id,
      locale: record.locale,
      version: versionOf(record),
      ...(record.derivedFrom && { derivedFrom: record.derivedFrom }),
    })),
    feeds: bundles.map((bundle) => ({
      feed: bundle.feedId,
      locale: bundle.locale,
      format: bundle.format,
      etag: bundle.variants.identity.etag,
      items: bundle.itemCount,
      lastModified: new Date(bundle.lastModified).toISOString(),
    })),
  }
  const key = (x: { id?: string; feed?: string; locale?: string; format?: string }) =>
    `${x.id ?? x.feed}/${x.locale ?? ''}/${x.format ?? ''}`
  const byKey = (a: Parameters<typeof key>[0], b: Parameters<typeof key>[0]) => key(a).localeCompare(key(b))
  for (const list of [result.stored, result.skipped, result.retracted, result.notFound, result.feeds])
    list.sort(byKey)
  return result
}
