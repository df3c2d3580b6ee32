import type { Telemetry } from '../ports/observability.ts'

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
