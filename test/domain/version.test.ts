import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fingerprint } from '../../src/domain/version.ts'

/** FNV-1a 64 written the obvious way, with BigInt: what every stored version key was made with. */
function referenceFnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte)
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return hash.toString(16).padStart(16, '0')
}

describe('fingerprint', () => {
  it('gives the published FNV-1a 64 test vectors', () => {
    expect(fingerprint('')).toBe('cbf29ce484222325')
    expect(fingerprint('a')).toBe('af63dc4c8601ec8c')
    expect(fingerprint('foobar')).toBe('85944171f73967e8')
  })

  it('agrees with a BigInt FNV-1a 64 on any text, so stored version keys keep their names', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(fingerprint(text)).toBe(referenceFnv1a64(text))
      }),
      { numRuns: 2000 },
    )
  })
})
