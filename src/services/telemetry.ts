/** Counters and timings, in domain words; the Node entry plugs in Prometheus, Workers nothing. */
export interface Telemetry {
  count(name: string, labels?: Record<string, string>, value?: number): void
  observe(name: string, seconds: number, labels?: Record<string, string>): void
}

export const NO_TELEMETRY: Telemetry = { count: () => {}, observe: () => {} }
