import { describe, expect, it } from 'vitest'
import { formatRfc3339, formatRfc822 } from '../../src/render/dates.ts'

const instant = Date.parse('2022-11-06T15:12:00+08:00')

describe('feed dates', () => {
  it.each([
    ['Asia/Shanghai', '2022-11-06T15:12:00+08:00', 'Sun, 06 Nov 2022 15:12:00 +0800'],
    ['Europe/Moscow', '2022-11-06T10:12:00+03:00', 'Sun, 06 Nov 2022 10:12:00 +0300'],
    ['Asia/Almaty', '2022-11-06T13:12:00+06:00', 'Sun, 06 Nov 2022 13:12:00 +0600'],
    ['Asia/Tashkent', '2022-11-06T12:12:00+05:00', 'Sun, 06 Nov 2022 12:12:00 +0500'],
    ['UTC', '2022-11-06T07:12:00+00:00', 'Sun, 06 Nov 2022 07:12:00 +0000'],
  ])('in %s are %s and %s', (zone, rfc3339, rfc822) => {
    expect(formatRfc3339(instant, zone)).toBe(rfc3339)
    expect(formatRfc822(instant, zone)).toBe(rfc822)
  })

  it('follow Kazakhstan to UTC+5 after March 2024 (tzdata 2024a)', () => {
    expect(formatRfc3339(Date.parse('2025-01-01T00:00:00Z'), 'Asia/Almaty')).toBe('2025-01-01T05:00:00+05:00')
  })

  it('fall back to UTC where the historic offset has seconds', () => {
    expect(formatRfc3339(Date.parse('1880-01-01T00:00:00Z'), 'Asia/Almaty')).toBe('1880-01-01T00:00:00+00:00')
  })

  it('round-trip: the RFC 3339 string names the same instant', () => {
    for (const zone of ['Asia/Shanghai', 'Europe/Moscow', 'Asia/Almaty', 'Asia/Tashkent']) {
      expect(Date.parse(formatRfc3339(instant, zone))).toBe(instant)
      expect(Date.parse(formatRfc822(instant, zone))).toBe(instant)
    }
  })
})
