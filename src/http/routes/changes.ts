import type { Context } from 'hono'
import type { Locale } from '../../domain/locale.ts'
import type { CursorCodec } from '../../services/change-cursor.ts'
import type { FeedDefinition } from '../../domain/feed-definition.ts'
import { LOCALES } from '../../domain/locale.ts'
import { publicReader, type ChangeFeed, type Reader } from '../../services/change-feed.ts'
import type { AppEnv } from '../context.ts'
import { AppError } from '../errors.ts'
import type { Admitted } from '../partner-access.ts'
import { CHANGES_HEADERS as HEADERS, type QuietAnswers } from '../cursor-front.ts'

/** The longest `?wait=` in seconds (as the agencies' APIs hold a request). */
export const MAX_WAIT_SECONDS = 15

/** A partner's answer: its quota's headers, and never a shared copy (the key selects it). */
const PARTNER_HEADERS = { ...HEADERS, vary: 'Authorization' }

/** Who asks for changes: the public, or a partner a key admitted, with its view of the locale. */
export interface ChangesReader {
  reader: Reader
  admitted?: Admitted
}

/**
 * `GET /{locale}/changes?cursor=&wait=` (and `/p/{key}/{locale}/changes`): the next page of changes
 * (oldest first) the reader may see and the cursor after it. Validates everything before it reads
 * anything: a bad `wait` or cursor is a 400 saying what to send, a position older than the log's
 * retention a 410 saying to backfill.
 */
export function changesHandler(
  feed: ChangeFeed,
  codec: CursorCodec,
  quiet: QuietAnswers,
  catalog: readonly FeedDefinition[],
) {
  const publicReaders = new Map(LOCALES.map((locale) => [locale, publicReader(catalog, locale)]))
  return async (c: Context<AppEnv>, locale: Locale, asked?: ChangesReader): Promise<Response> => {
    const { reader, admitted } = asked ?? { reader: publicReaders.get(locale)! }
    if (admitted) c.set('partner', admitted.partner.id)
    const waitMs = parseWait(once(c, 'wait'))
    const cursor = once(c, 'cursor')
    // A public poll with nothing new, answered a moment ago, is answered the same (see QuietAnswers).
    const remembered = !admitted && cursor && waitMs === 0
    const known = remembered ? quiet.find(locale, cursor) : undefined
    if (known) return respond(c, known.body, HEADERS)
    const token = remembered ? quiet.token() : undefined
    let state = feed.start(locale)
    if (cursor !== undefined && cursor !== '') {
      const decoded = await codec.decode(cursor, locale)
      if (typeof decoded === 'string') {
        throw new AppError('CURSOR_INVALID', { locale, reason: `cursorReasons.${decoded}` }, [], {}, [
          'reason',
        ])
      }
      state = decoded
    }
    if (feed.expired(state)) throw new AppError('CURSOR_EXPIRED', { locale })
    const page = await feed.read(state, reader, waitMs)
    const body = JSON.stringify({
      changes: page.changes,
      next_cursor: await codec.encode(page.next),
      more: page.more,
    })
    const after = token && quiet.token()
    if (after && cursor && page.changes.length === 0 && !page.more) {
      const releaseAt = Math.min(...(page.next.releases ?? []).map((r) => r.until))
      quiet.remember(locale, cursor, { body, token: after, until: page.quietUntil }, releaseAt)
    } else if (remembered) quiet.forget(locale, cursor)
    return respond(c, body, admitted ? { ...PARTNER_HEADERS, ...admitted.headers } : HEADERS)
  }
}

function respond(c: Context<AppEnv>, body: string, headers: Record<string, string>): Response {
  return new Response(c.req.method === 'HEAD' ? null : body, { status: 200, headers })
}

/**
 * A query parameter's value, sent at most once: a repeated one is a 400 saying to send it once
 * (which of its values would count is not the client's to guess).
 */
function once(c: Context<AppEnv>, name: string): string | undefined {
  const values = c.req.queries(name)
  if (values && values.length > 1) throw new AppError('QUERY_PARAMETER_REPEATED', { parameter: name })
  return values?.[0]
}

/** A plain decimal number: digits with an optional fraction (`015`, `.5`, `1.2345`); no sign or exponent. */
const PLAIN_DECIMAL = /^(?:\d+\.?\d*|\.\d+)$/

/** `?wait=` in milliseconds: absent is 0; a plain decimal number of seconds from 0 to 15, else a 400. */
function parseWait(raw: string | undefined): number {
  if (raw === undefined) return 0
  const seconds = PLAIN_DECIMAL.test(raw) ? Number(raw) : NaN
  if (!(seconds <= MAX_WAIT_SECONDS)) throw new AppError('WAIT_INVALID', { wait: raw, max: MAX_WAIT_SECONDS })
  return Math.round(seconds * 1000)
}
