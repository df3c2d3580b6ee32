import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBundle, encodeBundle, type FeedBundle } from '../../src/services/feed-bundle.ts'

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length })

const bundle: fc.Arbitrary<FeedBundle> = fc
  .record({
    identity: fc.uint8Array({ maxLength: 300 }),
    gzip: fc.option(fc.uint8Array({ maxLength: 100 }), { nil: undefined }),
    br: fc.option(fc.uint8Array({ maxLength: 100 }), { nil: undefined }),
    lastModified: fc.integer({ min: 0, max: 2 ** 42 }),
    itemCount: fc.nat(200),
    title: fc.string(),
  })
  .map(({ identity, gzip, br, lastModified, itemCount, title }) => ({
    feedId: `sco-${title.length}`,
    locale: 'kk',
    format: 'atom',
    contentType: 'application/atom+xml; charset=utf-8',
    lastModified,
    itemCount,
    renderedWith: `1-${title}`,
    variants: {
      identity: { encoding: 'identity', body: new Uint8Array(identity), etag: '"x"' },
      ...(gzip && { gzip: { encoding: 'gzip', body: new Uint8Array(gzip), etag: '"x-gz"' } }),
      ...(br && { br: { encoding: 'br', body: new Uint8Array(br), etag: '"x-br"' } }),
    },
  }))

describe('the stored bundle format', () => {
  it('reads back every bundle exactly as it was written', () => {
    fc.assert(
      fc.property(bundle, (b) => {
        expect(decodeBundle(encodeBundle(b))).toEqual(b)
      }),
      { numRuns: 200, seed: 20261205 },
    )
  })

  it('refuses every truncation of a bundle instead of serving part of a feed', () => {
    fc.assert(
      fc.property(bundle, fc.nat(), (b, cut) => {
        const encoded = encodeBundle(b)
        fc.pre(encoded.byteLength > 0)
        const at = cut % encoded.byteLength
        expect(decodeBundle(encoded.slice(0, at))).toBeNull()
      }),
      { numRuns: 300, seed: 20261206 },
    )
  })

  it('refuses bytes that are not a bundle, another version of the format, or a corrupt header', () => {
    const encoded = encodeBundle({
      feedId: 'sco',
      locale: 'kk',
      format: 'rss',
      contentType: 'application/rss+xml; charset=utf-8',
      lastModified: 0,
      itemCount: 0,
      renderedWith: '1-x',
      variants: { identity: { encoding: 'identity', body: new TextEncoder().encode('<rss/>'), etag: '"e"' } },
    })
    const otherVersion = encoded.slice()
    otherVersion[3] = 0x32 // "SFB2"
    const corrupt = encoded.slice()
    corrupt[8] = 0x7b + 1 // the header's opening brace
    fc.assert(
      fc.property(bytes(12), (random) => {
        expect(decodeBundle(random)).toBeNull()
      }),
      { seed: 1 },
    )
    expect(decodeBundle(otherVersion)).toBeNull()
    expect(decodeBundle(corrupt)).toBeNull()
    expect(decodeBundle(new TextEncoder().encode('{"feed":"json"}'))).toBeNull()
  })
})
