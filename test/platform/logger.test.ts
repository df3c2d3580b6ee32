import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createJsonLogger } from '../../src/platform/logger.ts'

function linesOf(
  level: Parameters<typeof createJsonLogger>[0],
  use: (log: ReturnType<typeof createJsonLogger>) => void,
) {
  const lines: string[] = []
  use(
    createJsonLogger(
      level,
      (line) => lines.push(line),
      () => Date.parse('2026-12-01T10:00:00.123Z'),
    ),
  )
  return lines
}

describe('JSON log lines', () => {
  it('are one JSON object each: time, level and message first, then the fields as given', () => {
    const [line] = linesOf('info', (log) =>
      log.info('request', { method: 'GET', path: '/kk/sco.atom', bytes: 0 }),
    )
    expect(line).toBe(
      '{"time":"2026-12-01T10:00:00.123Z","level":"info","message":"request","method":"GET","path":"/kk/sco.atom","bytes":0}',
    )
  })

  it('hold any message and field values, quotes and line breaks included, as valid JSON', () => {
    const time = '2026-12-01T10:00:00.123Z'
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(undefined))
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.string(), value), (message, fields) => {
        const [line] = linesOf('debug', (log) => log.warn(message, fields))
        // What serializing the whole entry gives (a field named like a fixed member wins).
        expect(line).not.toMatch(/[\n\r]/)
        expect(JSON.parse(line!)).toEqual(
          JSON.parse(JSON.stringify({ time, level: 'warn', message, ...fields })),
        )
      }),
    )
  })

  it('for a request, are what info writes with the same fields', () => {
    const line = {
      method: 'GET',
      path: '/ru/sco.rss',
      status: 304,
      bytes: 0,
      durationMs: 0.25,
      cache: 'hit',
      requestId: 'a1b2-3',
    }
    const [viaRequest] = linesOf('info', (log) => log.request(line))
    const [viaInfo] = linesOf('info', (log) => log.info('request', line))
    expect(viaRequest).toBe(viaInfo)
    expect(linesOf('warn', (log) => log.request(line))).toEqual([])
  })

  it('drop lines below the configured level', () => {
    expect(
      linesOf('warn', (log) => {
        log.info('quiet')
        log.warn('loud')
        log.error('louder')
      }),
    ).toHaveLength(2)
    expect(linesOf('silent', (log) => log.error('nothing'))).toEqual([])
  })
})

describe('fields written by hand', () => {
  it('read back as JSON.stringify would have written them, whatever the values', () => {
    const value = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(undefined),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
    )
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string().filter((k) => !['time', 'level', 'message'].includes(k)),
          value,
        ),
        (fields) => {
          const [line] = linesOf('info', (log) => log.info('request', fields))
          const { time: _t, level: _l, message: _m, ...rest } = JSON.parse(line!) as Record<string, unknown>
          expect(rest).toEqual(JSON.parse(JSON.stringify(fields)))
        },
      ),
    )
  })
})
