import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { RequestLine } from '../../src/ports/observability.ts'
import { HeldRequestLines, isoTimes, requestLineText } from '../../src/platform/request-lines.ts'

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('/ru/sco.rss', 'GET'))
const lines: fc.Arbitrary<RequestLine> = fc.record({
  method: text,
  path: text,
  status: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.double()),
  bytes: fc.option(fc.oneof(fc.nat(), fc.double()), { nil: undefined }),
  durationMs: fc.double(),
  cache: fc.option(text, { nil: undefined }),
  requestId: text,
  partner: fc.option(text, { nil: undefined }),
})

/** What JSON.stringify writes for the entry a request line stands for. */
const stringified = (time: string, line: RequestLine) =>
  JSON.stringify({
    time,
    level: 'info',
    message: 'request',
    method: line.method,
    path: line.path,
    status: line.status,
    bytes: line.bytes,
    durationMs: line.durationMs,
    cache: line.cache,
    requestId: line.requestId,
    partner: line.partner,
  })

describe('request lines written by hand', () => {
  it('are the text JSON.stringify writes for the same entry, whatever the values', () => {
    fc.assert(
      fc.property(lines, (line) => {
        expect(requestLineText('2026-12-05T16:00:00.000Z', line)).toBe(
          stringified('2026-12-05T16:00:00.000Z', line),
        )
      }),
    )
  })
})

describe('log times formatted once per second', () => {
  it('are what toISOString writes, for any time (other seconds, years and fractions too)', () => {
    const iso = isoTimes()
    const around = Date.parse('2026-12-05T16:00:00Z')
    const ms = fc.oneof(
      fc.integer({ min: around - 5000, max: around + 5000 }),
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.double({ min: 0, max: 1e13, noNaN: true }),
    )
    fc.assert(
      fc.property(fc.array(ms, { maxLength: 20 }), (times) => {
        for (const t of times) expect(iso(t)).toBe(new Date(t).toISOString())
      }),
    )
  })
})

describe('request lines held as values', () => {
  it('come back as their text, in order, once', () => {
    const iso = isoTimes()
    const held = new HeldRequestLines(4)
    const at = Date.parse('2026-12-05T16:00:00.250Z')
    // Drawn from a few lines, so that runs of the same line (and of the same parts) come up.
    const batches = fc
      .array(lines, { minLength: 1, maxLength: 3 })
      .chain((pool) => fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 4 }))
    fc.assert(
      fc.property(batches, (batch) => {
        batch.forEach((line, i) => held.hold(at + i, line))
        expect(held.size).toBe(batch.length)
        expect(held.take(iso)).toBe(batch.map((line, i) => stringified(iso(at + i), line)).join('\n'))
        expect(held.size).toBe(0)
        expect(held.take(iso)).toBe('')
      }),
    )
  })

  it('refuse a line when full rather than lose one', () => {
    const held = new HeldRequestLines(1)
    const line = {
      method: 'GET',
      path: '/',
      status: 200,
      bytes: 0,
      durationMs: 1,
      cache: undefined,
      requestId: 'a',
    }
    held.hold(0, line)
    expect(held.full).toBe(true)
    expect(() => held.hold(0, line)).toThrow(RangeError)
  })
})
