import { describe, expect, it } from 'vitest'
import { chooseEncoding } from '../../src/http/accept-encoding.ts'
import { negotiateLocale } from '../../src/http/accept-language.ts'
import { negotiateProblemLanguage } from '../../src/http/errors.ts'
import { byPreference, parseWeightedList } from '../../src/http/q-values.ts'

// One parser of weighted lists (RFC 9110 §12.4.2) behind Accept-Encoding, Accept-Language and the
// language of problem documents.

describe('parseWeightedList', () => {
  it.each([
    ['gzip', [['gzip', 1]]],
    [
      'gzip;q=0.5, br',
      [
        ['gzip', 0.5],
        ['br', 1],
      ],
    ],
    ['GZIP ; Q=0.25', [['gzip', 0.25]]],
    [
      'a;q=1.000, b;q=0.001, c;q=0',
      [
        ['a', 1],
        ['b', 0.001],
        ['c', 0],
      ],
    ],
    [
      'a,, b ,',
      [
        ['a', 1],
        ['b', 1],
      ],
    ],
    ['a;level=1;q=0.3', [['a', 0.3]]],
  ])('reads %j', (header, expected) => {
    expect(parseWeightedList(header).map((m) => [m.value, m.q])).toEqual(expected)
  })

  it.each(['a;q=2', 'a;q=1.5', 'a;q=-1', 'a;q=0.0001', 'a;q=x', 'a;q=', 'a;q=.5', 'a;q=1.001'])(
    'drops the member of %j, whose weight is not a qvalue',
    (header) => {
      expect(parseWeightedList(`${header}, b`).map((m) => m.value)).toEqual(['b'])
    },
  )

  it('orders by weight, then by position', () => {
    const ordered = byPreference(parseWeightedList('a;q=0.5, b, c;q=0.5, d;q=0.9'))
    expect(ordered.map((m) => m.value)).toEqual(['b', 'd', 'a', 'c'])
  })
})

describe('every negotiation reads weights the same way', () => {
  it('ignores a member with an invalid weight in each header', () => {
    expect(chooseEncoding('br;q=2, gzip', ['br', 'gzip', 'identity'])).toBe('gzip')
    expect(negotiateLocale('kk;q=2, ru')).toBe('ru')
    expect(negotiateProblemLanguage('kk;q=2, ru')).toBe('ru')
  })

  it('honours q=0 and weights in problem languages, scripts included', () => {
    expect(negotiateProblemLanguage('ru;q=0, kk;q=0.5, en;q=0.4')).toBe('kk')
    expect(negotiateProblemLanguage('uz-Cyrl, uz;q=0.8')).toBe('uz-cyrl')
    expect(negotiateProblemLanguage('zh-TW')).toBe('zh-hant')
    expect(negotiateProblemLanguage('fr, de;q=0.5')).toBe('en')
    expect(negotiateProblemLanguage(undefined)).toBe('en')
  })
})
