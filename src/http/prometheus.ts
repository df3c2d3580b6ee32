import type { Telemetry } from '../services/telemetry.ts'

const HELP: Record<string, string> = {
  silkfeed_http_requests_total: 'HTTP requests by route and status',
  silkfeed_feed_cache_total: 'Feed reads by cache outcome (hit, revalidated, miss, stale)',
  silkfeed_storage_request_seconds: 'Storage requests by operation and outcome',
  silkfeed_render_seconds: 'Feed renders (one feed, one locale, every format)',
  silkfeed_webhook_total: 'Republish webhook calls by HTTP status',
  silkfeed_http_request_seconds: 'HTTP request duration by route',
}

function labelText(labels: Record<string, string> = {}): string {
  const parts = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
  return parts.length > 0 ? `{${parts.join(',')}}` : ''
}

/** An in-process Prometheus registry (text exposition format 0.0.4): counters, and timings as summaries. */
export class PrometheusTelemetry implements Telemetry {
  readonly #counters = new Map<string, Map<string, number>>()
  readonly #timings = new Map<string, Map<string, { sum: number; count: number }>>()

  count(name: string, labels?: Record<string, string>, value = 1): void {
    const series = this.#counters.get(name) ?? new Map<string, number>()
    this.#counters.set(name, series)
    const key = labelText(labels)
    series.set(key, (series.get(key) ?? 0) + value)
  }

  observe(name: string, seconds: number, labels?: Record<string, string>): void {
    const series = this.#timings.get(name) ?? new Map<string, { sum: number; count: number }>()
    this.#timings.set(name, series)
    const key = labelText(labels)
    const entry = series.get(key) ?? { sum: 0, count: 0 }
    entry.sum += seconds
    entry.count += 1
    series.set(key, entry)
  }

  render(): string {
    const lines: string[] = []
    for (const [name, series] of [...this.#counters].sort()) {
      lines.push(`# HELP ${name} ${HELP[name] ?? name}`, `# TYPE ${name} counter`)
      for (const [labels, value] of series) lines.push(`${name}${labels} ${value}`)
    }
    for (const [name, series] of [...this.#timings].sort()) {
      lines.push(`# HELP ${name} ${HELP[name] ?? name}`, `# TYPE ${name} summary`)
      for (const [labels, { sum, count }] of series) {
        lines.push(`${name}_sum${labels} ${sum}`, `${name}_count${labels} ${count}`)
      }
    }
    return `${lines.join('\n')}\n`
  }
}
