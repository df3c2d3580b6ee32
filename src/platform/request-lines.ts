import type { RequestLine } from '../ports/observability.ts'

/** `"text"` as JSON writes it: by hand when nothing in it needs escaping, else by JSON.stringify. */
export function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return JSON.stringify(text)
  }
  return `"${text}"`
}

const jsonNumber = (value: number) => (Number.isFinite(value) ? String(value) : 'null')

/** The part of a request's line from after its time to the duration's value. */
function headOf(method: string, path: string, status: number, bytes: number | undefined): string {
  return (
    `","level":"info","message":"request","method":${jsonString(method)},"path":${jsonString(path)}` +
    `,"status":${jsonNumber(status)}${bytes === undefined ? '' : `,"bytes":${jsonNumber(bytes)}`},"durationMs":`
  )
}

/** The part of a request's line from after the duration to the request id's value. */
const cachePart = (cache: string | undefined) =>
  cache === undefined ? ',"requestId":' : `,"cache":${jsonString(cache)},"requestId":`

/** The end of a request's line after the request id: the partner whose key read, if any. */
const partnerPart = (partner: string | undefined) =>
  partner === undefined ? '' : `,"partner":${jsonString(partner)}`

/** A request's line at `time` (ISO 8601): what JSON.stringify writes for the same entry. */
export function requestLineText(time: string, line: RequestLine): string {
  const head = headOf(line.method, line.path, line.status, line.bytes)
  return `{"time":"${time}${head}${jsonNumber(line.durationMs)}${cachePart(line.cache)}${jsonString(line.requestId)}${partnerPart(line.partner)}}`
}

// The last day representable as `YYYY-MM-DDTHH:mm:ss.sssZ` (later years take six digits and a sign).
const FOUR_DIGIT_YEARS_MS = Date.UTC(10000, 0, 1)
const MILLISECONDS = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, '0')}Z`)

/**
 * `Date.prototype.toISOString`, formatting the date once per second: lines logged in the same
 * second share its text up to the milliseconds, which come from a table.
 */
export function isoTimes(): (ms: number) => string {
  let second = NaN
  let prefix = ''
  return (ms) => {
    if (!(ms >= 0 && ms < FOUR_DIGIT_YEARS_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString()
    const within = ms % 1000
    const start = ms - within
    if (start !== second) {
      second = start
      prefix = new Date(start).toISOString().slice(0, 20) // up to and with the dot
    }
    return prefix + MILLISECONDS[within]!
  }
}

/**
 * Request lines kept as values until they are written (in one chunk): a request stores its fields in
 * preallocated slots, and the text is made when the chunk is, `capacity` lines at most at a time.
 */
export class HeldRequestLines {
  readonly #times: Float64Array
  readonly #methods: string[]
  readonly #paths: string[]
  readonly #statuses: Float64Array
  readonly #bytes: (number | undefined)[]
  readonly #durations: Float64Array
  readonly #caches: (string | undefined)[]
  readonly #ids: string[]
  readonly #partners: (string | undefined)[]
  #count = 0

  constructor(readonly capacity = 256) {
    this.#times = new Float64Array(capacity)
    this.#statuses = new Float64Array(capacity)
    this.#durations = new Float64Array(capacity)
    this.#methods = new Array<string>(capacity).fill('')
    this.#paths = new Array<string>(capacity).fill('')
    this.#ids = new Array<string>(capacity).fill('')
    this.#bytes = new Array<number | undefined>(capacity).fill(undefined)
    this.#caches = new Array<string | undefined>(capacity).fill(undefined)
    this.#partners = new Array<string | undefined>(capacity).fill(undefined)
  }

  get size(): number {
    return this.#count
  }

  get full(): boolean {
    return this.#count === this.capacity
  }

  /** Keeps a line logged at `time` (ms); when full, take the lines first (else it throws). */
  hold(time: number, line: RequestLine): void {
    const at = this.#count
    if (at === this.capacity) throw new RangeError('held request lines are full')
    this.#times[at] = time
    this.#methods[at] = line.method
    this.#paths[at] = line.path
    this.#statuses[at] = line.status
    this.#bytes[at] = line.bytes
    this.#durations[at] = line.durationMs
    this.#caches[at] = line.cache
    this.#ids[at] = line.requestId
    this.#partners[at] = line.partner
    this.#count = at + 1
  }

  /**
   * The lines held, as text (newline-separated, none after the last), and forgets them. A line's
   * parts that repeat the line before's values (a run of requests for the same feed and answer) are
   * reused, not made again.
   */
  take(isoTime: (ms: number) => string): string {
    let text = ''
    let method = ''
    let path = ''
    let status = NaN
    let bytes: number | undefined
    let head = ''
    let cache: string | undefined
    let afterDuration = ''
    for (let at = 0; at < this.#count; at++) {
      const m = this.#methods[at]!
      const p = this.#paths[at]!
      const s = this.#statuses[at]!
      const b = this.#bytes[at]
      if (at === 0 || m !== method || p !== path || !Object.is(s, status) || !Object.is(b, bytes)) {
        head = headOf((method = m), (path = p), (status = s), (bytes = b))
      }
      const c = this.#caches[at]
      if (at === 0 || c !== cache) afterDuration = cachePart((cache = c))
      const line =
        `{"time":"${isoTime(this.#times[at]!)}${head}${jsonNumber(this.#durations[at]!)}` +
        `${afterDuration}${jsonString(this.#ids[at]!)}${partnerPart(this.#partners[at])}}`
      text += at === 0 ? line : `\n${line}`
    }
    this.#count = 0
    return text
  }
}
