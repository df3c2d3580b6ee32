import type { Logger, RequestLine } from '../ports/observability.ts'
import { BoundedCache, CACHE_BOUNDS } from '../domain/bounded-cache.ts'
import { HeldRequestLines, isoTimes, jsonString, requestLineText } from './request-lines.ts'

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const
export type LogLevel = keyof typeof LEVELS

/** Where finished log lines go (without the newline): the console by default, which Workers collect. */
export type LineSink = (line: string) => void

/**
 * A sink that writes lines in batches (Node's): it can also write lines a logger holds as values,
 * first thing whenever it writes its batch.
 */
export interface BatchingLineSink extends LineSink {
  /**
   * Registers `release`, which writes the lines held elsewhere to this sink; it is called at the
   * start of every batch. The function returned asks for a batch soon, as a line written would.
   */
  holding(release: () => void): () => void
}

const consoleSink: LineSink = (line) => console.log(line)

/**
 * One JSON object per line: `time`, `level`, `message`, then the fields. With a batching sink, request
 * lines are held as values and written as text with the sink's next batch (or before any other line,
 * so the order stays the order of the calls).
 */
export function createJsonLogger(
  level: LogLevel,
  write: LineSink | BatchingLineSink = consoleSink,
  now: () => number = Date.now,
): Logger & {
  info(message: string, fields?: Record<string, unknown>): void
  request(line: RequestLine): void
} {
  const isoTime = isoTimes()
  const time = () => isoTime(now())
  const held = 'holding' in write ? new HeldRequestLines() : undefined
  const release = () => {
    if (held && held.size > 0) write(held.take(isoTime))
  }
  const wake = 'holding' in write ? write.holding(release) : () => {}
  const request = (line: RequestLine) => {
    if (LEVELS.info < LEVELS[level]) return
    if (!held) {
      write(requestLineText(time(), line))
      return
    }
    if (held.full) release()
    held.hold(now(), line)
    if (held.size === 1) wake()
  }
  // `"level":"info","message":"request"` is the same text line after line: made once per message.
  const heads = {
    debug: new BoundedCache<string, string>(CACHE_BOUNDS.logMessages),
    info: new BoundedCache<string, string>(CACHE_BOUNDS.logMessages),
    warn: new BoundedCache<string, string>(CACHE_BOUNDS.logMessages),
    error: new BoundedCache<string, string>(CACHE_BOUNDS.logMessages),
  }
  // `,"key":` per field name, made once: names come from code, a small set (bounded all the same).
  const keys = new BoundedCache<string, string>(CACHE_BOUNDS.logFieldNames)
  const log = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < LEVELS[level]) return
    release()
    if (fields && ('time' in fields || 'level' in fields || 'message' in fields)) {
      write(JSON.stringify({ time: time(), level: lvl, message, ...fields }))
      return
    }
    const known = heads[lvl]
    let head = known.get(message)
    if (head === undefined) {
      head = `","level":"${lvl}","message":${JSON.stringify(message)}`
      known.set(message, head)
    }
    write(`{"time":"${time()}${head}${fields ? membersOf(fields, keys) : ''}}`)
  }
  return {
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    request,
  }
}

/**
 * The fields as JSON members, each after a comma: what JSON.stringify writes, made by hand for the
 * strings, numbers and booleans a request line holds (several times cheaper on Node 20, and every
 * request writes one). Anything else, or text that needs escaping, goes through JSON.stringify.
 */
function membersOf(fields: Record<string, unknown>, keys: BoundedCache<string, string>): string {
  let out = ''
  for (const name in fields) {
    const value = fields[name]
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue
    let key = keys.get(name)
    if (key === undefined) {
      key = `,${JSON.stringify(name)}:`
      keys.set(name, key)
    }
    if (typeof value === 'string') out += key + jsonString(value)
    else if (typeof value === 'number') out += key + (Number.isFinite(value) ? String(value) : 'null')
    else if (typeof value === 'boolean') out += key + String(value)
    else out += key + (jsonOf(value) ?? 'null')
  }
  return out
}

// undefined, functions and symbols have no JSON text, whatever lib.d.ts says.
const jsonOf = (value: unknown): string | undefined => JSON.stringify(value)
