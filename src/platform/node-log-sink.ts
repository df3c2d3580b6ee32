import { writeSync } from 'node:fs'
import type { BatchingLineSink } from './logger.ts'

/** The slice of a writable stream the sink needs (standard output in production). */
interface LineOutput {
  write(chunk: string): unknown
}

const pause = new Int32Array(new SharedArrayBuffer(4))

/** The write system call as `fs.writeSync` makes it: the bytes written (maybe fewer), EAGAIN thrown. */
export type WriteCall = (fd: number, data: string | Uint8Array, offset?: number) => number
const writeCall: WriteCall = (fd, data, offset) =>
  typeof data === 'string' ? writeSync(fd, data) : writeSync(fd, data, offset)

/**
 * A file descriptor written synchronously, every byte before `write` returns. process.stdout is not
 * that on a pipe: under a slow reader Node queues the rest of a write, and process.exit() drops the
 * queue (measured: 831 of 2,000 lines reached `| wc -l`). A batch is one write system call, of the
 * text itself: Node encodes it into the write, where a Buffer made of a batch first (a rope of 256
 * lines) cost two to five times as much. Only when the pipe takes part of it (EAGAIN, when Node has
 * made the descriptor non-blocking) is the rest written as bytes, a full pipe waited out a
 * millisecond at a time.
 */
export function synchronousOutput(fd = 1, write: WriteCall = writeCall): LineOutput {
  return {
    write(chunk: string) {
      let written = 0
      try {
        written = write(fd, chunk)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
      }
      // Bytes, not characters: a line may hold text beyond ASCII.
      if (written === Buffer.byteLength(chunk)) return
      const bytes = Buffer.from(chunk)
      for (let at = written; at < bytes.length;) {
        try {
          at += write(fd, bytes, at)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
          Atomics.wait(pause, 0, 0, 1)
        }
      }
    },
  }
}

/**
 * Log lines for stdout, batched (Node only): lines leave in one write at most `maxDelayMs` after the
 * first of them, or as soon as `maxBufferBytes` accumulate, instead of one console.log (console
 * formatting and a write system call) per line, or even one write per turn of the event loop, which
 * a busy server takes thousands of times a second. Whole lines only, in order; flushed synchronously
 * when the process exits, so a crash or process.exit() loses nothing.
 */
export function createBatchedLineSink(
  output: LineOutput = synchronousOutput(),
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
  // process.exit() skips pending timers; the default output is synchronous, so writing here lands.
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
