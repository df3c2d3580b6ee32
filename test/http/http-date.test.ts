import { describe, expect, it } from 'vitest'
import { parseHttpDate } from '../../src/http/http-date.ts'

const NOW = Date.parse('2026-12-05T12:00:00Z')
const INSTANT = Date.parse('1994-11-06T08:49:37Z')

describe('parseHttpDate (RFC 9110 §5.6.7)', () => {
  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT'],
    ['RFC 850', 'Sunday, 06-Nov-94 08:49:37 GMT'],
    ['asctime', 'Sun Nov  6 08:49:37 1994'],
  ])('reads the %s form', (_, text) => {
    expect(parseHttpDate(text, NOW)).toBe(INSTANT)
  })

  it('takes a two-digit year more than 50 years ahead as the century before', () => {
    expect(parseHttpDate('Friday, 01-Jan-77 00:00:00 GMT', NOW)).toBe(Date.parse('1977-01-01T00:00:00Z'))
    expect(parseHttpDate('Friday, 01-Jan-30 00:00:00 GMT', NOW)).toBe(Date.parse('2030-01-01T00:00:00Z'))
  })

  it.each([
    '2030',
    '9999',
    '2026-12-05',
    '2026-12-05T00:00:00Z',
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'sun, 06 nov 1994 08:49:37 GMT',
    'Sun, 6 Nov 1994 08:49:37 GMT',
    'Thu, 31 Feb 2030 00:00:00 GMT',
    'Sun, 06 Nov 1994 24:00:00 GMT',
    ' Sun, 06 Nov 1994 08:49:37 GMT',
    '',
  ])('refuses %j', (text) => {
    expect(parseHttpDate(text, NOW)).toBeUndefined()
  })
})
