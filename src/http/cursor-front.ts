import { BoundedCache } from '../domain/bounded-cache.ts'
import { RESOURCE_TEMPLATES } from '../domain/url-scheme.ts'
import type { Bytes } from '../ports/object-store.ts'
import type { ChangeFeed } from '../services/change-feed.ts'
import type { HotFront } from './hot-front.ts'
import type { RequestRecord } from './request-log.ts'

/** The headers of every cursor answer (a partner's add its quota's and `Vary`). */
export const CHANGES_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  // Every answer depends on the cursor and on the moment: nothing may keep one.
  'cache-control': 'no-store',
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'X-Request-Id',
}
const RAW_HEADERS = Object.entries(CHANGES_HEADERS).flat()

interface QuietAnswer {
  body: string
  bytes: Bytes
  /** The path its log line shows (`/{locale}/changes`, without the cursor). */
  path: string
  /** Its headers as Node takes them, but for the request id's value, which each request adds. */
  rawHeaders: readonly string[]
  token: string
  until: number
  /** This process's latest own append when the answer was made (see `ChangeFeed.appendToken`). */
  appended: string | undefined
  /** The latest the answer may be given while one poll makes it anew: never past a release. */
  refreshUntil: number
  /** Whether a poll has gone to the app to make it anew. */
  refreshing: boolean
}

/** How many quiet answers are remembered: one per cursor polled within a moment. */
const QUIET_ANSWERS = 1024
/**
 * How long past its time a quiet answer may still be given while one poll (through the app, which
 * lists the log again) makes it anew, instead of every poll meanwhile waiting on that listing.
 */
export const QUIET_REFRESH_MS = 1000
const encoder = new TextEncoder()

/** The one request target a quiet answer is given to: `/{locale}/changes?cursor=<cursor>`, exactly. */
const targetOf = (locale: string, cursor: string) => `/${locale}/changes?cursor=${cursor}`

/**
 * The public answers of polls that found nothing new, by locale and cursor: the same cursor polled
 * again gets the same bytes, without a MAC or a listing, while this process has neither listed the
 * log again nor appended to it, for no longer than a listing is shared and never past a release
 * the cursor holds (see `ChangePage.quietUntil`). Then one poll goes to the app and makes the answer
 * anew; the polls meanwhile still get the answer in hand, unless this process appended since (its
 * own news is never held back), for at most `QUIET_REFRESH_MS` more and never past a release.
 * Where listings are not shared (Workers), none.
 */
export class QuietAnswers {
  readonly #answers = new BoundedCache<string, QuietAnswer>({ maxEntries: QUIET_ANSWERS })

  constructor(
    private readonly feed: ChangeFeed,
    private readonly now: () => number,
  ) {}

  /** What the next answer would depend on now (undefined: nothing is remembered). */
  token(): string | undefined {
    return this.feed.quietToken()
  }

  /** The remembered answer of this cursor, if a poll now would get the same (the app's check). */
  find(locale: string, cursor: string): QuietAnswer | undefined {
    const token = this.feed.quietToken()
    const known = token === undefined ? undefined : this.#answers.get(targetOf(locale, cursor))
    return known && known.token === token && this.now() < known.until ? known : undefined
  }

  /**
   * The front's check: the remembered answer if current; if not, undefined for the first poll (which
   * the app answers anew) and the answer in hand for the polls while it does, within the bounds above.
   */
  serve(target: string): QuietAnswer | undefined {
    const token = this.feed.quietToken()
    const known = token === undefined ? undefined : this.#answers.get(target)
    if (!known) return undefined
    const now = this.now()
    if (known.token === token && now < known.until) return known
    if (now >= known.refreshUntil || known.appended !== this.feed.appendToken()) return undefined
    if (known.refreshing) return known
    known.refreshing = true
    return undefined
  }

  /**
   * Remembers a quiet answer; `releaseAt` is the cursor's next release, if any (never answered past
   * it). Its poll's answer made anew, the remembered one refreshes.
   */
  remember(
    locale: string,
    cursor: string,
    answer: { body: string; token: string; until: number },
    releaseAt = Infinity,
  ): void {
    const bytes = encoder.encode(answer.body)
    this.#answers.set(targetOf(locale, cursor), {
      ...answer,
      bytes,
      path: `/${locale}/changes`,
      rawHeaders: [...RAW_HEADERS, 'content-length', String(bytes.byteLength), 'x-request-id'],
      appended: this.feed.appendToken(),
      refreshUntil: Math.min(answer.until + QUIET_REFRESH_MS, releaseAt),
      refreshing: false,
    })
  }

  /** Forgets the answer of this cursor (a poll of it found news): no poll gets it any more. */
  forget(locale: string, cursor: string): void {
    this.#answers.delete(targetOf(locale, cursor))
  }
}

/**
 * The Node entry's front for the change cursor: a public poll whose answer is remembered is written
 * straight from memory (logged and counted by the app's recorder, as the app would); anything else
 * is undefined, for the app.
 */
export function createCursorFront(
  quiet: QuietAnswers,
  options: {
    now: () => number
    requestIdFor: (cfRay: string | undefined) => string
    record: (entry: RequestRecord) => void
  },
): HotFront {
  const { now, requestIdFor, record } = options
  return (request) => {
    const { method, target } = request
    if ((method !== 'GET' && method !== 'HEAD') || target === undefined) return undefined
    // Only the exact target a quiet answer was made for (`/{locale}/changes?cursor=…`, no other
    // query, nothing encoded) finds one; anything else goes to the app.
    const known = quiet.serve(target)
    if (!known) return undefined
    const started = now()
    const requestId = requestIdFor(request.cfRay)
    const rawHeaders = [...known.rawHeaders, requestId]
    const bytes = method === 'HEAD' ? 0 : known.bytes.byteLength
    record({
      method,
      path: known.path,
      route: RESOURCE_TEMPLATES.changes,
      status: 200,
      bytes,
      durationMs: now() - started,
      cache: undefined,
      requestId,
    })
    return { status: 200, rawHeaders, body: method === 'HEAD' ? null : known.bytes, bytes }
  }
}
