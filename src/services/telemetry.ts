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

const nothing = () => {}

export const NO_TELEMETRY: Telemetry = {
  count: nothing,
  observe: nothing,
  counter: () => nothing,
  timer: () => nothing,
}

/**
 * Bound counters or timers by a key of the caller's (say, route and status), made on first use. The
 * keys must come from a small set: one entry is kept per key.
 */
export function boundBy<F>(bind: (key: string) => F): (key: string) => F {
  const bound = new Map<string, F>()
  return (key) => {
    let f = bound.get(key)
    if (f === undefined) bound.set(key, (f = bind(key)))
    return f
  }
}
