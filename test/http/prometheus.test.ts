import { describe, expect, it } from 'vitest'
import { PrometheusTelemetry } from '../../src/http/prometheus.ts'

describe('the Prometheus registry', () => {
  it('counts one series per label set, whatever order the labels come in', () => {
    const telemetry = new PrometheusTelemetry()
    telemetry.count('silkfeed_http_requests_total', { route: '/healthz', status: '200' })
    telemetry.count('silkfeed_http_requests_total', { status: '200', route: '/healthz' })
    telemetry.count('silkfeed_http_requests_total', { route: '/healthz', status: '503' })
    telemetry.observe('silkfeed_http_request_seconds', 0.5, { route: '/healthz' })
    telemetry.observe('silkfeed_http_request_seconds', 0.25, { route: '/healthz' })
    const text = telemetry.render()
    expect(text).toContain('silkfeed_http_requests_total{route="/healthz",status="200"} 2')
    expect(text).toContain('silkfeed_http_requests_total{route="/healthz",status="503"} 1')
    expect(text).toContain('silkfeed_http_request_seconds_sum{route="/healthz"} 0.75')
    expect(text).toContain('silkfeed_http_request_seconds_count{route="/healthz"} 2')
  })

  it('keeps label sets apart that only a naive key would confuse, and escapes values', () => {
    const telemetry = new PrometheusTelemetry()
    telemetry.count('m', { a: 'x b 1:y' })
    telemetry.count('m', { a: 'x', b: 'y' })
    telemetry.count('m', { a: 'say "hi"\n' })
    const text = telemetry.render()
    expect(text).toContain('m{a="x b 1:y"} 1')
    expect(text).toContain('m{a="x",b="y"} 1')
    expect(text).toContain('m{a="say \\"hi\\"\\n"} 1')
  })

  it('counts bound counters and timers into the same series as count and observe', () => {
    const telemetry = new PrometheusTelemetry()
    const ok = telemetry.counter('silkfeed_http_requests_total', { status: '200', route: '/:locale/:file' })
    const timer = telemetry.timer('silkfeed_http_request_seconds', { route: '/:locale/:file' })
    ok()
    ok(2)
    telemetry.count('silkfeed_http_requests_total', { route: '/:locale/:file', status: '200' })
    timer(0.5)
    telemetry.observe('silkfeed_http_request_seconds', 0.25, { route: '/:locale/:file' })
    const text = telemetry.render()
    expect(text).toContain('silkfeed_http_requests_total{route="/:locale/:file",status="200"} 4')
    expect(text).toContain('silkfeed_http_request_seconds_sum{route="/:locale/:file"} 0.75')
    expect(text).toContain('silkfeed_http_request_seconds_count{route="/:locale/:file"} 2')
  })
})
