import { describe, expect, it } from 'vitest'
import { BoundedCache } from '../../src/domain/bounded-cache.ts'

describe('a bounded cache', () => {
  it('never holds more entries than its bound, forgetting the least recently used first', () => {
    const cache = new BoundedCache<string, number>({ maxEntries: 2 })
    cache.set('a', 1)
    cache.set('b', 2)
    expect(cache.get('a')).toBe(1) // a is now more recent than b
    cache.set('c', 3)
    expect(cache.size).toBe(2)
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toBe(1)
    expect(cache.get('c')).toBe(3)
  })

  it('keeps the total weight within its bound, and does not keep a value heavier than the bound', () => {
    const cache = new BoundedCache<string, string>({ maxEntries: 100, maxWeight: 10, weigh: (v) => v.length })
    cache.set('a', 'xxxx')
    cache.set('b', 'yyyy')
    cache.set('c', 'zzzz')
    expect(cache.get('a')).toBeUndefined()
    expect([cache.get('b'), cache.get('c')]).toEqual(['yyyy', 'zzzz'])
    cache.set('huge', 'x'.repeat(11))
    expect(cache.get('huge')).toBeUndefined()
    expect(cache.size).toBe(2)
  })

  it('makes a missing value once with getOrCreate and hands back the kept one after', () => {
    const cache = new BoundedCache<string, { n: number }>({ maxEntries: 4 })
    let made = 0
    const first = cache.getOrCreate('k', () => ({ n: ++made }))
    const second = cache.getOrCreate('k', () => ({ n: ++made }))
    expect(second).toBe(first)
    expect(made).toBe(1)
  })

  it('forgets a deleted key and frees its weight', () => {
    const cache = new BoundedCache<string, string>({ maxEntries: 10, maxWeight: 8, weigh: (v) => v.length })
    cache.set('a', 'xxxxxxxx')
    expect(cache.delete('a')).toBe(true)
    expect(cache.delete('a')).toBe(false)
    cache.set('b', 'yyyyyyyy')
    expect(cache.get('b')).toBe('yyyyyyyy')
    expect(cache.size).toBe(1)
  })

  it('replacing a value counts its new weight only', () => {
    const cache = new BoundedCache<string, string>({ maxEntries: 10, maxWeight: 6, weigh: (v) => v.length })
    cache.set('a', 'xxx')
    cache.set('a', 'yyy')
    cache.set('b', 'zzz')
    expect([cache.get('a'), cache.get('b')]).toEqual(['yyy', 'zzz'])
  })
})
