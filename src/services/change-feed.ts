import { changeTime, localeOfChange } from '../domain/feed-snapshot.ts'
import type { Locale } from '../domain/locale.ts'
import { fingerprint } from '../domain/version.ts'
import type { PublicationSettings } from '../render/feed-model.ts'
import type { Clock } from '../ports/observability.ts'
import type { CursorState } from './change-cursor.ts'
import type { ChangeLog, Listing, OwnListing } from './change-log.ts'
import type { ChangeSignal } from './change-signal.ts'
import type { ArticleRepository } from './article-repository.ts'
import {
  changeView,
  itemBaseOf,
  releaseView,
  trackRelease,
  visible,
  withheldVersions,
  type ChangeView,
  type Reader,
} from './change-view.ts'
import { mapWithLimit } from './single-flight.ts'

export { publicReader, type Reader } from './change-view.ts'

/** A page of changes and the position after it. */
export interface ChangePage {
  changes: ChangeView[]
  next: CursorState
  /** More entries are already there: ask again at once. */
  more: boolean
  /**
   * Until when the same position would get the same answer while `quietToken()` stays the same: the
   * listing's sharing time, or the next pending release if sooner.
   */
  quietUntil: number
}

export interface ChangeFeedDeps {
  changeLog: ChangeLog
  /** Where a story's newest state is asked (versions pulled or superseded before their embargo ended). */
  articles: Pick<ArticleRepository, 'heads' | 'stateAt'>
  /** Node: this process's appends wake waiters and listings are shared; without it, each request lists alone. */
  signal: ChangeSignal | undefined
  settings: PublicationSettings
  now: Clock
  /** How long the log keeps entries: a position older than that may have lost some (410). */
  changeLogMs: number
  /**
   * How long after its write time an entry may still land in the log (a slow write of another
   * process): the cursor keeps listing that far back and skips what it delivered.
   */
  settleMs: number
  /** How often a waiting request lists the log again for other processes' entries. */
  pollMs: number
  /** How long a listing of the log serves other requests (`ChangeLog`'s sharing time). */
  sharedListingMs: number
}

/** Entries read per page at most (an entry is one republish, in every locale). */
const PAGE_ENTRIES = 100
/** Changes per page, beyond which no further entry is started. */
const PAGE_CHANGES = 200

/**
 * The change cursor: the change log read oldest to newest for one locale. Positions live in the
 * durable log (write times and key fingerprints), never in memory, so any process continues any
 * cursor. Entries written in the same moment by several processes may land out of order: a
 * position keeps the last `settleMs` of the log in view and names what it already delivered there,
 * so an entry that lands late is delivered late rather than never.
 */
export class ChangeFeed {
  #quiet: { mark: number; append: number | undefined; token: string } | undefined

  constructor(private readonly deps: ChangeFeedDeps) {}

  /** Where a reader without a cursor starts: the oldest part of the log that is safe to page through. */
  start(locale: Locale): CursorState {
    return { locale, from: Math.max(0, this.deps.now() - Math.floor(this.deps.changeLogMs * 0.9)), seen: [] }
  }

  /**
   * What an answer computed now depends on besides the position and the time: this process's latest
   * listing and own append. Undefined where listings are not shared (each request lists alone).
   */
  quietToken(): string | undefined {
    const { signal, changeLog } = this.deps
    if (!signal) return undefined
    const mark = changeLog.mark()
    const append = signal.lastAppendMark
    // The same text while nothing changed: a quiet poll compares it by identity, and makes none.
    const last = this.#quiet
    if (last?.mark === mark && last.append === append) return last.token
    const token = `${mark}.${append ?? ''}`
    this.#quiet = { mark, append, token }
    return token
  }

  /** This process's latest own append, as `quietToken` names it ('' before any; undefined where none). */
  appendToken(): string | undefined {
    return this.deps.signal && String(this.deps.signal.lastAppendMark ?? '')
  }

  /** Has the log possibly dropped entries after this position? */
  expired(state: CursorState): boolean {
    return state.from < this.deps.now() - this.deps.changeLogMs
  }

  /**
   * The changes after a position; when there are none, waits up to `waitMs` for some (woken by this
   * process's appends, listing the log every `pollMs` for other processes', and at the next pending
   * release from embargo).
   */
  async read(state: CursorState, reader: Reader, waitMs = 0): Promise<ChangePage> {
    const { now, changeLog, signal, pollMs } = this.deps
    const deadline = now() + waitMs
    let page = await this.#page(state, reader)
    while (page.changes.length === 0 && !page.more && now() < deadline) {
      const mark = changeLog.mark()
      const release = Math.min(...(page.next.releases ?? []).map((r) => r.until))
      const ms = Math.max(0, Math.min(pollMs, deadline - now(), release - now()))
      await (signal ? signal.wait(ms) : new Promise((resolve) => setTimeout(resolve, ms)))
      // On from where the empty page left off, as the client would with its next_cursor.
      page = await this.#page(page.next, reader, mark)
    }
    return page
  }

  async #page(state: CursorState, reader: Reader, after?: number): Promise<ChangePage> {
    const { changeLog, settleMs, signal, settings } = this.deps
    // A listing shared by the requests of a moment spares storage, unless it began before this
    // process's own last append: a reader must see what the webhook has confirmed.
    const appended = signal?.lastAppendMark
    const stale = appended !== undefined && changeLog.mark() <= appended
    let listing: Listing | OwnListing = signal
      ? changeLog.list(state.from, after ?? (stale ? appended : undefined))
      : changeLog.listAlone(state.from)
    // A release that is due is announced only from a listing begun after its time, which shows
    // whether a newer version (a postponement logged just before it) came: one more listing, shared
    // by the readers the shared one served, once per release.
    const firstRelease = Math.min(...(state.releases ?? []).map((r) => r.until))
    if (listing.seq !== undefined && firstRelease <= this.deps.now() && listing.at < firstRelease) {
      listing = changeLog.list(state.from, listing.seq)
    }
    const keys = await listing.keys
    const now = this.deps.now()
    const seen = new Set(state.seen.map((s) => `${s.time}.${s.tag}`))
    const fresh = keys.filter((key) => {
      const time = changeTime(key)
      return time >= state.from && !seen.has(`${time}.${tagOf(key)}`)
    })
    const batch = fresh.slice(0, PAGE_ENTRIES)
    const entries = await mapWithLimit(batch, 8, (key) => changeLog.read(key))
    const hidden = await withheldVersions(
      this.deps.articles,
      state.locale,
      entries.flatMap((e) => e ?? []),
      state.releases ?? [],
      reader,
      now,
    )
    const changes: ChangeView[] = []
    const base = itemBaseOf(settings, reader)
    const delivered: string[] = []
    const releases = new Map((state.releases ?? []).map((r) => [r.id, r]))
    // Releases fall between entries by time: each is announced before the first entry written after it.
    const releaseUpTo = (time: number) => {
      for (const release of [...releases.values()].sort((x, y) => x.until - y.until)) {
        if (release.until > Math.min(time, now)) break
        releases.delete(release.id)
        changes.push(releaseView(settings, release, state.locale, base))
      }
    }
    for (const [index, key] of batch.entries()) {
      if (changes.length >= PAGE_CHANGES) break
      delivered.push(key)
      releaseUpTo(changeTime(key) - 1)
      for (const change of entries[index] ?? []) {
        if (localeOfChange(change) !== state.locale) continue
        trackRelease(releases, change, reader, now)
        if (change.type === 'upsert' && hidden.has(change.record)) continue
        if (visible(change, reader, now)) changes.push(changeView(settings, change, now, base))
      }
    }
    const pending = fresh[delivered.length]
    // Releases up to the listing's start only (see above): a shared listing may be a moment old.
    releaseUpTo(pending === undefined ? listing.at : changeTime(pending) - 1)
    // Entries older than the settle window that are not listed by now are not coming.
    const horizon = listing.at - settleMs
    const from = Math.max(
      state.from,
      pending === undefined ? horizon : Math.min(horizon, changeTime(pending)),
    )
    const next = [
      ...state.seen,
      ...delivered.map((key) => ({ time: changeTime(key), tag: tagOf(key) })),
    ].filter((s) => s.time >= from)
    const position: CursorState = { locale: state.locale, from, seen: next }
    if (releases.size > 0) position.releases = [...releases.values()]
    const due = Math.min(...[...releases.values()].map((r) => r.until))
    const quietUntil = Math.min(listing.at + this.deps.sharedListingMs, due)
    return { changes, next: position, more: pending !== undefined, quietUntil }
  }
}

/** A short fingerprint of a log key: enough to tell apart the entries of one settle window. */
function tagOf(key: string): string {
  return fingerprint(key).slice(0, 8)
}
