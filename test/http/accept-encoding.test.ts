import { describe, expect, it } from 'vitest'
import { chooseEncoding } from '../../src/http/accept-encoding.ts'

const all = ['br', 'gzip', 'identity'] as const

describe('choosing a content coding', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['gzip;q=0, br;q=0', 'identity'],
    ['gzip;q=0', 'identity'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['deflate', 'identity'],
    ['x-gzip', 'gzip'],
    ['GZIP;Q=1', 'gzip'],
    ['identity;q=0.9, gzip;q=0.1', 'identity'],
  ])('Accept-Encoding %j gives %s', (header, expected) => {
    expect(chooseEncoding(header, all)).toBe(expected)
  })

  it('falls back to identity when nothing acceptable is available', () => {
    expect(chooseEncoding('br', ['gzip', 'identity'])).toBe('identity')
  })
})
