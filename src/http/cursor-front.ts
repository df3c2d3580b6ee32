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
  token: string
  until: number
}

/** How many quiet answers are remembered: one per cursor polled within a moment. */
const QUIET_ANSWERS = 1024
const encoder = new TextEncoder()

/**
 * The public answers of polls that found nothing new, by locale and cursor: the same cursor polled
 * again gets the same bytes, without a MAC or a listing, while this process has neither listed the
 * log again nor appended to it, for no longer than a listing is shared and never past a release
 * the cursor holds (see `ChangePage.quietUntil`). Where listings are not shared (Workers), none.
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

  /** The remembered answer of this cursor, if a poll now would get the same. */
  find(locale: string, cursor: string): QuietAnswer | undefined {
    const token = this.feed.quietToken()
    const known = token === undefined ? undefined : this.#answers.get(`${locale} ${cursor}`)
    return known && known.token === token && this.now() < known.until ? known : undefined
  }

  remember(locale: string, cursor: string, answer: Omit<QuietAnswer, 'bytes'>): void {
    this.#answers.set(`${locale} ${cursor}`, { ...answer, bytes: encoder.encode(answer.body) })
  }
}

// `/{locale}/changes?cursor=<payload>.<mac>` and nothing else: any other query goes to the app.
const QUIET_POLL = /^\/([^/?%]+)\/changes\?cursor=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/

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
    const match = QUIET_POLL.exec(target)
    const known = match && quiet.find(match[1]!, match[2]!)
    if (!known) return undefined
    const started = now()
    const requestId = requestIdFor(request.cfRay)
    const length = String(known.bytes.byteLength)
    const rawHeaders = [...RAW_HEADERS, 'content-length', length, 'x-request-id', requestId]
    const bytes = method === 'HEAD' ? 0 : known.bytes.byteLength
    const path = `/${match[1]}/changes`
    const route = RESOURCE_TEMPLATES.changes
    record({
      method,
      path,
      route,
      status: 200,
      bytes,
      durationMs: now() - started,
      cache: undefined,
      requestId,
    })
    return { status: 200, rawHeaders, body: method === 'HEAD' ? null : known.bytes, bytes }
  }
}
