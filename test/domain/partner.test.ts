import { describe, expect, it } from 'vitest'
import { audienceFor, formatKey, looksLikeKey, mayRead, type Entitlements } from '../../src/domain/partner.ts'
import { parsePath, redactPath } from '../../src/domain/url-scheme.ts'

const partner = (e: Partial<Entitlements>): { entitlements: Entitlements } => ({
  entitlements: {
    feeds: 'all',
    locales: 'all',
    fullText: false,
    embargoed: false,
    quotaPerMinute: 60,
    ...e,
  },
})
const sco = { id: 'sco' }

describe('audienceFor', () => {
  it('gives full text only to partners entitled to it', () => {
    expect(audienceFor(partner({ fullText: true }), sco)).toEqual({ body: 'full', embargoed: false })
    expect(audienceFor(partner({ fullText: false }), sco)).toEqual({ body: 'excerpt', embargoed: false })
  })

  it('shows embargoed stories only to partners entitled to them', () => {
    expect(audienceFor(partner({ fullText: true, embargoed: true }), sco)).toEqual({
      body: 'full',
      embargoed: true,
    })
    expect(audienceFor(partner({ embargoed: true }), sco).embargoed).toBe(true)
  })
})

describe('mayRead', () => {
  it('allows exactly the listed feeds and locales, or every one for "all"', () => {
    const p = partner({ feeds: ['sco'], locales: ['kk'] })
    expect(mayRead(p, 'sco', 'kk')).toBe(true)
    expect(mayRead(p, 'sco', 'ru')).toBe(false)
    expect(mayRead(p, 'latest', 'kk')).toBe(false)
    expect(mayRead(partner({}), 'latest', 'zh-hant')).toBe(true)
  })
})

describe('partner keys', () => {
  it('formats 256 random bits as sf_ and 43 base64url characters', () => {
    const key = formatKey(new Uint8Array(32).fill(255))
    expect(key).toBe(`sf_${'_'.repeat(42)}8`)
    expect(looksLikeKey(key)).toBe(true)
    expect(looksLikeKey('sf_short')).toBe(false)
    expect(() => formatKey(new Uint8Array(16))).toThrow()
  })
})

describe('keyed paths', () => {
  it('reads keyed feeds, the partner OPML and the partner page', () => {
    expect(parsePath('/p/sf_k/ru/sco.rss')).toEqual({
      kind: 'partnerFeed',
      key: 'sf_k',
      locale: 'ru',
      feedId: 'sco',
      format: 'rss',
      file: 'sco.rss',
    })
    expect(parsePath('/p/sf_k/feeds.opml')).toEqual({ kind: 'partnerOpml', key: 'sf_k' })
    expect(parsePath('/p/sf_k/')).toEqual({ kind: 'partnerDirectory', key: 'sf_k' })
    expect(parsePath('/p/sf_k/ru/sco')).toBeUndefined()
    expect(parsePath('/p//ru/sco.rss')).toBeUndefined()
  })

  it('takes the key out of a path before it is logged or echoed', () => {
    expect(redactPath('/p/sf_secret/ru/sco.rss')).toBe('/p/{key}/ru/sco.rss')
    expect(redactPath('/p/sf_secret')).toBe('/p/{key}')
    expect(redactPath('/ru/sco.rss')).toBe('/ru/sco.rss')
  })
})
