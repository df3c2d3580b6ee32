import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ChangeSignal } from '../../src/services/change-signal.ts'
import { Coalescer, SingleFlight, withTimeout } from '../../src/services/single-flight.ts'

/** A run the test finishes when it chooses: its number (the order it started in) is its result. */
interface Run {
  number: number
  finish(): void
}

/**
 * Callers arriving and runs finishing in any order, for one key: what `Coalescer` promises its
 * callers (the run a caller gets started after it arrived, so it covers everything written before)
 * and the storage it spares (never two runs at once; never more runs than callers).
 */
describe('Coalescer under any schedule of callers and finishing runs', () => {
  it('gives every caller a run that started after it arrived, one run at a time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), async (steps) => {
        const coalescer = new Coalescer<number>()
        const runs: Run[] = []
        let inFlight = 0
        let mostInFlight = 0
        const task = () =>
          new Promise<number>((resolve) => {
            const number = runs.length
            inFlight++
            mostInFlight = Math.max(mostInFlight, inFlight)
            runs.push({
              number,
              finish: () => {
                inFlight--
                resolve(number)
              },
            })
          })
        const callers: { runsBefore: number; result: Promise<number> }[] = []
        let finished = 0
        const settle = async () => {
          for (let i = 0; i < 5; i++) await Promise.resolve()
        }
        // true: a caller arrives; false: the oldest unfinished run finishes.
        for (const arrives of steps) {
          if (arrives) callers.push({ runsBefore: runs.length, result: coalescer.run('feed', task) })
          else if (finished < runs.length) runs[finished++]!.finish()
          await settle()
        }
        // Then every run still to come finishes, as storage eventually answers.
        while (finished < runs.length) {
          runs[finished++]!.finish()
          await settle()
        }
        for (const caller of callers) expect(await caller.result).toBeGreaterThanOrEqual(caller.runsBefore)
        expect(mostInFlight).toBeLessThanOrEqual(1)
        expect(runs.length).toBeLessThanOrEqual(callers.length)
      }),
    )
  })
})

describe('SingleFlight under any number of callers', () => {
  it('runs one task for all the callers that arrive while it runs, and every caller gets its result', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        async (early, late) => {
          const flight = new SingleFlight<string>()
          let runs = 0
          let finish!: (value: string) => void
          const task = () => {
            runs++
            return new Promise<string>((resolve) => (finish = resolve))
          }
          const first = Array.from({ length: early }, () => flight.run('k', task))
          finish('one')
          expect(await Promise.all(first)).toEqual(first.map(() => 'one'))
          const second = Array.from({ length: late }, () => flight.run('k', task))
          finish('two')
          expect(await Promise.all(second)).toEqual(second.map(() => 'two'))
          expect(runs).toBe(2)
        },
      ),
    )
  })
})

describe('withTimeout', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('passes on a result that arrives in time and fails with the given error once the time is up', async () => {
    vi.useFakeTimers()
    const onTime = withTimeout(Promise.resolve('feed'), 1000, () => new Error('late'))
    await expect(onTime).resolves.toBe('feed')
    const never = withTimeout(new Promise<string>(() => {}), 1000, () => new Error('storage timed out'))
    const caught = never.catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(999)
    let settled = false
    void caught.then(() => (settled = true))
    await Promise.resolve()
    expect(settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(await caught).toEqual(new Error('storage timed out'))
  })
})

describe('ChangeSignal', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('wakes every waiter at the next notify, and remembers the mark of the last append', async () => {
    vi.useFakeTimers()
    const signal = new ChangeSignal()
    expect(signal.lastAppendMark).toBeUndefined()
    const woken: number[] = []
    const waits = [1, 2, 3].map((n) => signal.wait(60_000).then(() => woken.push(n)))
    await Promise.resolve()
    expect(woken).toEqual([])
    signal.notify(42)
    await Promise.all(waits)
    expect(woken.sort()).toEqual([1, 2, 3])
    expect(signal.lastAppendMark).toBe(42)
  })

  it('lets a waiter go after its time even when nothing is appended, and a later notify finds no one', async () => {
    vi.useFakeTimers()
    const signal = new ChangeSignal()
    let done = false
    const wait = signal.wait(500).then(() => (done = true))
    await vi.advanceTimersByTimeAsync(499)
    expect(done).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await wait
    expect(done).toBe(true)
    signal.notify(1) // no waiter left: nothing to wake, nothing thrown
    expect(signal.lastAppendMark).toBe(1)
  })
})
