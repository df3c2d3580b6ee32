import type { Telemetry } from '../ports/observability.ts'

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

/** A metric and a label set as given (in any order): the key of its series in the index. */
function indexKey(name: string, labels: Record<string, string> | undefined): string {
  let key = name
  // Length-prefixed, so that no label value, whatever it holds, can make two label sets one key.
  for (const label in labels) {
    const value = labels[label]!
    key += ` ${label.length}:${label}${value.length}:${value}`
  }
  return key
}

/** The series of a metric with these labels (in any order), created with `initial` when new. */
function seriesOf<T>(
  metrics: Map<string, Map<string, T>>,
  name: string,
  labels: Record<string, string> | undefined,
  initial: T,
): T {
  let series = metrics.get(name)
  if (!series) metrics.set(name, (series = new Map<string, T>()))
  const text = labelText(labels)
  let entry = series.get(text)
  if (!entry) series.set(text, (entry = initial))
  return entry
}

/** An in-process Prometheus registry (text exposition format 0.0.4): counters, and timings as summaries. */
export class PrometheusTelemetry implements Telemetry {
  readonly #counters = new Map<string, Map<string, { value: number }>>()
  readonly #timings = new Map<string, Map<string, { sum: number; count: number }>>()
  // Several updates per request: one concatenation and one lookup each, instead of sorting and
  // escaping the labels and looking up the metric, then the series.
  readonly #counterIndex = new Map<string, { value: number }>()
  readonly #timingIndex = new Map<string, { sum: number; count: number }>()

  count(name: string, labels?: Record<string, string>, value = 1): void {
    this.#counterOf(name, labels).value += value
  }

  observe(name: string, seconds: number, labels?: Record<string, string>): void {
    const entry = this.#timingOf(name, labels)
    entry.sum += seconds
    entry.count += 1
  }

  counter(name: string, labels?: Record<string, string>): (value?: number) => void {
    const entry = this.#counterOf(name, labels)
    return (value = 1) => {
      entry.value += value
    }
  }

  timer(name: string, labels?: Record<string, string>): (seconds: number) => void {
    const entry = this.#timingOf(name, labels)
    return (seconds) => {
      entry.sum += seconds
      entry.count += 1
    }
  }

  #counterOf(name: string, labels: Record<string, string> | undefined): { value: number } {
    const key = indexKey(name, labels)
    let entry = this.#counterIndex.get(key)
    if (!entry) this.#counterIndex.set(key, (entry = seriesOf(this.#counters, name, labels, { value: 0 })))
    return entry
  }

  #timingOf(name: string, labels: Record<string, string> | undefined): { sum: number; count: number } {
    const key = indexKey(name, labels)
    let entry = this.#timingIndex.get(key)
    if (!entry) {
      this.#timingIndex.set(key, (entry = seriesOf(this.#timings, name, labels, { sum: 0, count: 0 })))
    }
    return entry
  }

  render(): string {
    const lines: string[] = []
    for (const [name, series] of [...this.#counters].sort()) {
      lines.push(`# HELP ${name} ${HELP[name] ?? name}`, `# TYPE ${name} counter`)
      for (const [labels, { value }] of series) lines.push(`${name}${labels} ${value}`)
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
