import type { LineSink } from './logger.ts'

/** The slice of a writable stream the sink needs (process.stdout in production). */
interface LineOutput {
  write(chunk: string): unknown
}

/**
 * Log lines for stdout, batched (Node only): the lines logged during one turn of the event loop leave
 * in one write after it, instead of one console.log (console formatting and a write system call) per
 * line, which cost a fifth of a hot feed request. Whole lines only, in order; flushed early when
 * `maxBufferBytes` accumulate, and synchronously when the process exits.
 */
export function createBatchedLineSink(
  output: LineOutput = process.stdout,
  maxBufferBytes = 64 * 1024,
): LineSink & { flush(): void } {
  let pending = ''
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending === '') return
    const chunk = pending
    pending = ''
    output.write(chunk)
  }
  // process.exit() skips pending immediates; stdout to a file or pipe is synchronous on Linux, so
  // writing here still lands.
  process.on('exit', flush)
  const sink = (line: string) => {
    pending += `${line}\n`
    if (pending.length >= maxBufferBytes) flush()
    else if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
  }
  return Object.assign(sink, { flush })
}
