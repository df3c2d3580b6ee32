import type { BatchingLineSink } from './logger.ts'

/** The slice of a writable stream the sink needs (process.stdout in production). */
interface LineOutput {
  write(chunk: string): unknown
}

/**
 * Log lines for stdout, batched (Node only): lines leave in one write at most `maxDelayMs` after the
 * first of them, or as soon as `maxBufferBytes` accumulate, instead of one console.log (console
 * formatting and a write system call) per line, or even one write per turn of the event loop, which
 * a busy server takes thousands of times a second. Whole lines only, in order; flushed synchronously
 * when the process exits, so a crash or process.exit() loses nothing.
 */
export function createBatchedLineSink(
  output: LineOutput = process.stdout,
  maxBufferBytes = 64 * 1024,
  maxDelayMs = 50,
): BatchingLineSink & { flush(): void } {
  let pending = ''
  let timer: ReturnType<typeof setTimeout> | undefined
  const releases: (() => void)[] = []
  const flush = () => {
    for (const release of releases) release()
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    if (pending === '') return
    const chunk = pending
    pending = ''
    output.write(chunk)
  }
  // process.exit() skips pending timers; stdout to a file or pipe is synchronous on Linux, so
  // writing here still lands.
  process.on('exit', flush)
  const soon = () => {
    if (timer !== undefined) return
    timer = setTimeout(flush, maxDelayMs)
    timer.unref() // the lines wait for the process, never the other way round
  }
  const sink = (line: string) => {
    pending += `${line}\n`
    if (pending.length >= maxBufferBytes) flush()
    else soon()
  }
  const holding = (release: () => void) => {
    releases.push(release)
    return soon
  }
  return Object.assign(sink, { flush, holding })
}
