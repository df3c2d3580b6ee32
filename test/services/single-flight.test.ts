import { describe, expect, it } from 'vitest'
import { allSettled, Coalescer, mapWithLimit, SingleFlight } from '../../src/services/single-flight.ts'

/** A promise the test settles when it chooses. */
function gate<T = void>() {
  let open!: (value: T) => void
  let fail!: (error: unknown) => void
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve
    fail = reject
  })
  return { promise, open, fail }
}

describe('SingleFlight', () => {
  it('runs one task per key, and callers arriving meanwhile share its result', async () => {
    const flight = new SingleFlight<number>()
    const held = gate<number>()
    let runs = 0
    const task = () => {
      runs++
      return held.promise
    }
    const callers = [flight.run('a', task), flight.run('a', task), flight.run('a', task)]
    held.open(7)
    expect(await Promise.all(callers)).toEqual([7, 7, 7])
    expect(runs).toBe(1)
  })

  it('runs again once the task settled, failures included', async () => {
    const flight = new SingleFlight<number>()
    await expect(flight.run('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down')
    expect(await flight.run('a', async () => 2)).toBe(2)
  })

  it('keeps keys apart', async () => {
    const flight = new SingleFlight<string>()
    expect(await Promise.all([flight.run('a', async () => 'a'), flight.run('b', async () => 'b')])).toEqual([
      'a',
      'b',
    ])
  })
})

describe('Coalescer', () => {
  it('gives a caller arriving during a run the next run, shared by everyone who arrived meanwhile', async () => {
    const coalescer = new Coalescer<number>()
    const gates = [gate<number>(), gate<number>()]
    let runs = 0
    const task = () => gates[runs++]!.promise
    const first = coalescer.run('feed', task)
    const late = [coalescer.run('feed', task), coalescer.run('feed', task), coalescer.run('feed', task)]
    expect(runs).toBe(1) // the next run waits for the current one
    gates[0]!.open(1)
    expect(await first).toBe(1)
    await Promise.resolve()
    gates[1]!.open(2)
    expect(await Promise.all(late)).toEqual([2, 2, 2])
    expect(runs).toBe(2)
  })

  it('starts the next run after a failed one', async () => {
    const coalescer = new Coalescer<number>()
    const held = gate<number>()
    const first = coalescer.run('feed', () => held.promise)
    const next = coalescer.run('feed', async () => 5)
    held.fail(new Error('storage down'))
    await expect(first).rejects.toThrow('storage down')
    expect(await next).toBe(5)
  })
})

describe('mapWithLimit', () => {
  it('keeps at most the limit in flight and the order of the input', async () => {
    let inFlight = 0
    let most = 0
    const out = await mapWithLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      most = Math.max(most, ++inFlight)
      await new Promise((r) => setTimeout(r, 1))
      inFlight--
      return n * 10
    })
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70])
    expect(most).toBe(3)
  })

  it('starts nothing after a failure and reports it once the tasks under way have finished', async () => {
    const started: number[] = []
    const slow = gate()
    let slowDone = false
    const result = mapWithLimit([1, 2, 3, 4], 2, async (n) => {
      started.push(n)
      if (n === 1) {
        await slow.promise
        slowDone = true
        return n
      }
      throw new Error(`task ${n} failed`)
    })
    let settled = false
    void result.catch(() => (settled = true))
    await new Promise((r) => setTimeout(r, 5))
    expect(settled).toBe(false)
    slow.open()
    await expect(result).rejects.toThrow('task 2 failed')
    expect(slowDone).toBe(true)
    expect(started).toEqual([1, 2])
  })
})

describe('allSettled', () => {
  it('fails only after every promise has settled', async () => {
    const slow = gate()
    let finished = false
    const all = allSettled([Promise.reject(new Error('first')), slow.promise.then(() => (finished = true))])
    slow.open()
    await expect(all).rejects.toThrow('first')
    expect(finished).toBe(true)
  })
})
