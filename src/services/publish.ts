import type { Article } from '../domain/article.ts'
import type { FeedCatalog, FeedDefinition } from '../domain/feed-definition.ts'
import type { PublishReport, RepublishPayload } from '../domain/republish.ts'
import { feedSelects } from '../domain/select-items.ts'
import { versionOf } from '../domain/version.ts'
import { REPOSITORY_CONCURRENCY, type ArticleRepository } from './article-repository.ts'
import type { ChangeLog, LogEntry } from './change-log.ts'
import { mergePlans, partsOf } from './publish-parts.ts'
import type { FeedBundle } from './feed-bundle.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { Clock } from '../ports/observability.ts'
import { decide, expandPayloadInTurns, lookupsOf, type Lookups, type PublishPlan } from './publish-plan.ts'
import { allSettled, mapWithLimit } from './single-flight.ts'
import { withEarlierReleases } from './earlier-releases.ts'

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

/** What a republish did: its report, and the feeds whose bytes it changed (what WebSub hubs hear of). */
export interface Published {
  report: PublishReport
  changed: readonly Pick<FeedBundle, 'feedId' | 'locale' | 'format'>[]
}

/**
 * Applies a validated webhook payload in four steps: decide (what wins, from what is stored), write
 * (versions and retractions, then one change-log entry once they are durable), render (every
 * affected feed in every format, before returning), report. Safe to retry: every step can run again
 * with the same outcome.
 */
export class PublishService {
  constructor(private readonly deps: PublishDeps) {}

  /**
   * Applies a payload. `signedAt` (ms) is when its sender signed it: a retraction pulls only
   * versions that changed by then, so a captured retraction sent again pulls nothing new.
   */
  async apply(payload: RepublishPayload, signedAt = this.deps.now()): Promise<Published> {
    const { requestStore, changeLog } = this.deps
    const articles = requestStore ? this.deps.articles.within(requestStore()) : this.deps.articles
    const { plan, writing } = await this.#decideAndWrite(payload, articles, new Date(signedAt).toISOString())
    // The log entry is made once every version and retraction it names is durable: a request that
    // fails part-way logs nothing (its retry logs what it stores, see `decide`). Its key is the time
    // it is made, so it lands within the cursor's look-back (2 × STORAGE_TIMEOUT_MS) of that time
    // however long a large request's writes took.
    const previous = this.#previous(plan, articles) // earlier versions: read meanwhile
    await writing
    const appending = plan.changes.length > 0 ? changeLog.start(plan.changes) : undefined
    const durable = appending ? appending.durable : Promise.resolve()
    durable.catch(() => undefined) // awaited below
    // Feeds are rendered while the log entry is being stored; none is stored before it is durable.
    const rendered = previous.then((earlier) => {
      const affected = this.#affected(plan, earlier, payload.rebuild)
      const written = appending ? [{ ...appending.entry, durable }] : []
      return allSettled([...affected].map((definition) => this.deps.render(definition, written)))
    })
    const [, bundles] = await allSettled([durable, rendered])
    // A feed written again byte for byte (a story under embargo, in it or linked from it) is no news.
    const changed = bundles.flat().filter((bundle) => !bundle.unchanged)
    return { report: report(plan, bundles.flat()), changed }
  }

  /**
   * Decides the payload a part at a time (see publish-parts.ts) and starts storing each part's
   * versions and retractions as soon as it is decided: storage works on one part while the next is
   * derived, and each part's lookups run one part ahead. `writing` settles when every write has.
   * On a failure, the writes begun are waited for before rejecting (a retry cannot race them).
   */
  async #decideAndWrite(
    payload: RepublishPayload,
    articles: ArticleRepository,
    at: string,
  ): Promise<{ plan: PublishPlan; writing: Promise<unknown> }> {
    const parts = partsOf(payload)
    const signedAt = Date.parse(at)
    // A rebuild alone still asks the index (of nothing): that starts indexing a store without one.
    if (parts.length === 0) parts.push({})
    const lookups: Promise<Lookups>[] = []
    const lookUp = (i: number) => {
      if (i >= parts.length || lookups[i]) return
      const wanted = lookupsOf(parts[i]!)
      // Of a story under embargo a retraction pulls, whether the public saw an earlier version.
      const targets = articles.currents(wanted.states).then((s) => withEarlierReleases(articles, s, signedAt))
      const found = allSettled([articles.heads(wanted.heads), targets])
      const looked = found.then(([heads, states]) => ({ heads, states }))
      looked.catch(() => undefined) // awaited in its turn, or settled below
      lookups[i] = looked
    }
    const plans: PublishPlan[] = []
    const writes: Promise<unknown>[] = []
    // A field, not a `let`: set only in a callback, a `let` would read as always false to the type checker.
    const writing = { failed: false }
    try {
      for (const [i, part] of parts.entries()) {
        if (writing.failed) break // `writing` rejects: no more is started
        lookUp(i)
        lookUp(i + 1)
        const expanded = await expandPayloadInTurns(part)
        const plan = decide(expanded, await lookups[i]!, at)
        plans.push(plan)
        const written = this.#write(plan, articles)
        written.catch(() => (writing.failed = true))
        writes.push(written)
      }
    } catch (error) {
      await Promise.allSettled([...writes, ...lookups])
      throw error
    }
    return { plan: mergePlans(at, plans), writing: allSettled(writes) }
  }

  /** Stores a plan's versions and retractions, none depending on another (each after its story's marker). */
  #write(plan: PublishPlan, articles: ArticleRepository): Promise<unknown> {
    const writes: (() => Promise<unknown>)[] = [
      ...plan.upserts.map(
        ({ record }) =>
          () =>
            articles.putVersion(record),
      ),
      ...plan.retractions.map(
        ({ id, locale, live, reason, embargoed, at }) =>
          () =>
            articles.putRetraction(locale, id, at ?? plan.at, live.derived, reason, embargoed),
      ),
    ]
    return mapWithLimit(writes, WRITE_WINDOW, (write) => write())
  }

  /**
   * The previous versions of the stories whose feeds may change: not on a retry, which writes the
   * version it wrote before (nor a key read while it is rewritten, which a store without atomic
   * writes such as s3rver would garble), nor when every feed carries the new version.
   */
  #previous(plan: PublishPlan, articles: ArticleRepository): Promise<(Article | null)[]> {
    const { catalog } = this.deps
    const inEveryFeed = (record: Article) => catalog.all.every((d) => feedSelects(d, record))
    const earlier = plan.upserts.flatMap(({ record, head }) =>
      head?.kind === 'live' && head.version !== versionOf(record) && !inEveryFeed(record) ? [head.key] : [],
    )
    const previous = mapWithLimit(earlier, REPOSITORY_CONCURRENCY, (key) => articles.record(key))
    previous.catch(() => undefined) // awaited by apply
    return previous
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
