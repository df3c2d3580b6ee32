import { describe, expect, it } from 'vitest'
import { KeyIndex } from '../../src/services/partner-key-index.ts'

const HASH = 'a'.repeat(64)
const OTHER = 'b'.repeat(64)

describe('the partner key index', () => {
  it("is read from a listing of the keys' names, skipping names of another shape", () => {
    const index = KeyIndex.fromListing(5, [
      `p-000000000001/1700000000000-abc.${HASH}`,
      `p-000000000001/1700000000001-def.${OTHER}`,
      'p-000000000002/not-a-key.json',
      `p-000000000003/1700000000000-abc.${HASH.slice(1)}`,
    ])
    expect(index.at).toBe(5)
    expect(index.byHash.get(HASH)).toEqual({
      partnerId: 'p-000000000001',
      key: { keyId: '1700000000000-abc', hash: HASH, createdAt: '2023-11-14T22:13:20.000Z' },
    })
    expect(index.byPartner.get('p-000000000001')?.map((k) => k.keyId)).toEqual([
      '1700000000000-abc',
      '1700000000001-def',
    ])
    expect([...index.byHash.keys()]).toEqual([HASH, OTHER])
  })

  it('makes a decision once per path, and asks again for a path that came to nothing', () => {
    const index = KeyIndex.fromListing(0, [])
    let asked = 0
    const decide = (answer: object | undefined) => () => (asked++, answer)
    const first = index.decision('/p/k/ru/latest.rss', decide({ feed: 'latest' }))
    expect(index.decision('/p/k/ru/latest.rss', decide({ feed: 'other' }))).toBe(first)
    expect(asked).toBe(1)
    expect(index.decision('/p/junk/ru/latest.rss', decide(undefined))).toBeUndefined()
    expect(index.decision('/p/junk/ru/latest.rss', decide(undefined))).toBeUndefined()
    expect(asked).toBe(3)
  })

  it('makes each partner once per listing, with the keys that listing holds', () => {
    const index = KeyIndex.fromListing(0, [`p-000000000001/1700000000000-abc.${HASH}`])
    const definition = {
      id: 'p-000000000001',
      name: 'Steppe',
      createdAt: '2026-01-01T00:00:00.000Z',
      entitlements: { feeds: 'all', locales: 'all', fullText: true, embargoed: false, quotaPerMinute: 60 },
    } as const
    const partner = index.partnerOf(definition)
    expect(index.partnerOf(definition)).toBe(partner)
    expect(partner.keys.map((k) => k.keyId)).toEqual(['1700000000000-abc'])
    const relisted = KeyIndex.fromListing(1, [])
    expect(relisted.partnerOf(definition).keys).toEqual([])
  })
})
