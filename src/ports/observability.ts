/** Where a service reports what it could not do quietly. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  /**
   * One request's line: what `info('request', line)` writes, with the fields in this order. A logger
   * may keep the values and write the text later, in order with its other lines; without this
   * method the app calls `info`.
   */
  request?(line: RequestLine): void
}

/** What a request's log line says. */
export interface RequestLine {
  method: string
  path: string
  status: number
  bytes: number | undefined
  durationMs: number
  cache: string | undefined
  requestId: string
  /** The partner whose key was admitted, if any: its id, never its key. */
  partner?: string
}

/** The current time in ms since the epoch, injected so that tests and benchmarks can move it. */
export type Clock = () => number

/** Counters and timings, in domain words; the Node entry plugs in Prometheus, Workers nothing. */
export interface Telemetry {
  count(name: string, labels?: Record<string, string>, value?: number): void
  observe(name: string, seconds: number, labels?: Record<string, string>): void
  /**
   * A counter bound to one label set, for paths taken on every request: the same as `count(name,
   * labels, value)`, without finding the series each time.
   */
  counter(name: string, labels?: Record<string, string>): (value?: number) => void
  /** A timing bound to one label set: the same as `observe(name, seconds, labels)`. */
  timer(name: string, labels?: Record<string, string>): (seconds: number) => void
}
