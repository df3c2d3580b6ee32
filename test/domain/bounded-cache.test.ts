import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BoundedCache } from '../../src/domain/bounded-cache.ts'

type Op = { op: 'get' | 'set' | 'getOrCreate' | 'delete'; key: string; value: number }

/** The plainest least-recently-used list: an array, most recent last. */
function modelRun(ops: Op[], maxEntries: number): (number | boolean | undefined)[] {
  const order: [string, number][] = []
  const at = (key: string) => order.findIndex(([k]) => k === key)
  const use = (key: string) => {
    const i = at(key)
    const [entry] = order.splice(i, 1)
    order.push(entry!)
    return entry![1]
  }
  return ops.map(({ op, key, value }) => {
    const i = at(key)
    if (op === 'delete') {
      if (i >= 0) order.splice(i, 1)
      return i >= 0
    }
    if (i >= 0 && op !== 'set') return use(key)
    if (op === 'get') return undefined
    if (i >= 0) order.splice(i, 1)
    order.push([key, value])
    while (order.length > maxEntries) order.shift()
    return op === 'set' ? undefined : value
  })
}

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

  it('keeps and forgets exactly what a least-recently-used list of the same bound does', () => {
    const op = fc.record({
      op: fc.constantFrom('get', 'set', 'getOrCreate', 'delete'),
      key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      value: fc.integer(),
    }) as fc.Arbitrary<Op>
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), (ops, maxEntries) => {
        const cache = new BoundedCache<string, number>({ maxEntries })
        const seen = ops.map(({ op, key, value }) =>
          op === 'get'
            ? cache.get(key)
            : op === 'set'
              ? cache.set(key, value)
              : op === 'getOrCreate'
                ? cache.getOrCreate(key, () => value)
                : cache.delete(key),
        )
        expect(seen).toEqual(modelRun(ops, maxEntries))
      }),
      { numRuns: 500 },
    )
  })
})
