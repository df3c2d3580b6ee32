import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { repeat } from '../../src/platform/maintenance-timer.ts'

describe('repeat (the Node timers of maintenance and release announcements)', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('runs the work once per interval, and not at all before the first interval', async () => {
    const work = vi.fn(async () => {})
    const timer = repeat(1000, work, () => {})
    await vi.advanceTimersByTimeAsync(999)
    expect(work).toHaveBeenCalledTimes(0)
    await vi.advanceTimersByTimeAsync(2001)
    expect(work).toHaveBeenCalledTimes(3)
    timer.stop()
    await vi.advanceTimersByTimeAsync(5000)
    expect(work).toHaveBeenCalledTimes(3)
  })

  it('skips a turn while the run before is still going, never running two at once', async () => {
    let running = 0
    let most = 0
    let finish: () => void = () => {}
    const work = vi.fn(async () => {
      most = Math.max(most, ++running)
      await new Promise<void>((resolve) => (finish = resolve))
      running--
    })
    const timer = repeat(1000, work, () => {})
    await vi.advanceTimersByTimeAsync(3500) // due at 1, 2 and 3 s: the first is still going
    expect(work).toHaveBeenCalledTimes(1)
    finish()
    await vi.advanceTimersByTimeAsync(1000) // due at 4 s: free again
    expect(work).toHaveBeenCalledTimes(2)
    expect(most).toBe(1)
    timer.stop()
    finish()
  })

  it('reports a failed run and tries again at the next interval', async () => {
    const failures: unknown[] = []
    const work = vi
      .fn<() => Promise<void>>()
      .mockRejectedValueOnce(new Error('store unreachable'))
      .mockResolvedValue(undefined)
    const timer = repeat(1000, work, (error) => failures.push(error))
    await vi.advanceTimersByTimeAsync(1000)
    expect(failures).toEqual([new Error('store unreachable')])
    await vi.advanceTimersByTimeAsync(1000)
    expect(work).toHaveBeenCalledTimes(2)
    expect(failures).toHaveLength(1)
    timer.stop()
  })
})
