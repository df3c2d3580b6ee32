import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { createJsonLogger } from '../../src/platform/logger.ts'
import { createBatchedLineSink, synchronousOutput, type WriteCall } from '../../src/platform/node-log-sink.ts'
import { ROOT } from '../support/samples.ts'

describe('JSON request logs on Node', () => {
  it('writes whole lines, in order, in one write shortly after the first of them', async () => {
    const writes: string[] = []
    const log = createJsonLogger(
      'info',
      createBatchedLineSink({ write: (chunk) => writes.push(chunk) }, 65536, 20),
    )
    log.info('request', { n: 0 })
    await new Promise((resolve) => setImmediate(resolve)) // a later turn of the event loop
    for (let i = 1; i < 3; i++) log.info('request', { n: i })
    expect(writes).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(writes).toHaveLength(1)
    const lines = writes[0]!.split('\n')
    expect(lines.pop()).toBe('')
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { level: 'info', message: 'request', n: 0 },
      { level: 'info', message: 'request', n: 1 },
      { level: 'info', message: 'request', n: 2 },
    ])
  })

  it('holds request lines as values and writes them in order with the other lines', async () => {
    const writes: string[] = []
    const log = createJsonLogger(
      'info',
      createBatchedLineSink({ write: (chunk) => writes.push(chunk) }, 1 << 20, 20),
    )
    const request = (n: number) => ({
      method: 'GET',
      path: `/ru/${n}.rss`,
      status: 200,
      bytes: n,
      durationMs: 0.5,
      cache: 'hit',
      requestId: `r-${n}`,
    })
    // More lines than the logger holds at a time (256), another kind of line among them.
    for (let n = 0; n < 300; n++) log.request(request(n))
    log.warn('between', { n: 300 })
    for (let n = 301; n < 600; n++) log.request(request(n))
    expect(writes).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 60))
    const lines = writes
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { message: string; bytes?: number; n?: number })
    expect(lines.map((l) => l.bytes ?? l.n)).toEqual([...Array(600).keys()])
    expect(lines[300]).toMatchObject({ level: 'warn', message: 'between' })
    expect(lines[0]).toMatchObject({ level: 'info', message: 'request', path: '/ru/0.rss', requestId: 'r-0' })
  })

  it('writes early when the buffer fills, never splitting a line', () => {
    const writes: string[] = []
    const sink = createBatchedLineSink({ write: (chunk) => writes.push(chunk) }, 100)
    for (let i = 0; i < 10; i++) sink(`{"line":${i},"pad":"${'x'.repeat(20)}"}`)
    expect(writes.length).toBeGreaterThan(1)
    for (const chunk of writes) expect(chunk.endsWith('\n')).toBe(true)
    sink.flush()
    expect(writes.join('').split('\n').filter(Boolean)).toHaveLength(10)
  })

  it('writes every byte of a batch a full pipe takes in parts, cut anywhere, a character too', () => {
    const text = '{"title":"Қазақ тілі"}\n'.repeat(3)
    const expected = Buffer.from(text)
    // Each way a descriptor may take the batch: all at once, a character's worth of bytes short, cut
    // inside a character, as many bytes as the text has characters, and refusing a write (EAGAIN).
    for (const parts of [[Infinity], [text.length - 1], [9, 5, 1], [text.length], ['EAGAIN', 7]]) {
      const received: number[] = []
      let call = 0
      const write: WriteCall = (_fd, data, offset = 0) => {
        const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data).subarray(offset)
        const part = parts[Math.min(call++, parts.length - 1)]!
        if (part === 'EAGAIN') throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' })
        const taken = bytes.subarray(0, part as number)
        received.push(...taken)
        return taken.length
      }
      synchronousOutput(1, write).write(text)
      expect(Buffer.from(received).toString()).toBe(text)
      expect(received).toHaveLength(expected.length)
    }
  })

  it('loses no line when the process exits right after logging, text beyond ASCII included', async () => {
    const script = [
      `import { createJsonLogger } from ${JSON.stringify(`${ROOT}src/platform/logger.ts`)}`,
      `import { createBatchedLineSink } from ${JSON.stringify(`${ROOT}src/platform/node-log-sink.ts`)}`,
      `const log = createJsonLogger('info', createBatchedLineSink())`,
      // Text beyond ASCII: a write the full pipe cuts short may end inside a character.
      `for (let i = 0; i < 1000; i++) log.info('request', { n: i, title: 'Қазақ тілі ' + i })`,
      `for (let i = 1000; i < 2000; i++) log.request({ method: 'GET', path: '/', status: 200, bytes: i, durationMs: 1, cache: undefined, requestId: String(i) })`,
      `process.exit(0)`,
    ].join('\n')
    // A reader that is slow to start, as a log shipper under load is: the pipe fills, and a write
    // Node queued instead of finishing would be dropped by process.exit().
    const child = spawn(
      'sh',
      ['-c', '"$0" --import tsx --input-type=module -e "$1" | (sleep 1; cat)', process.execPath, script],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.setEncoding('utf8') // a character the pipe splits between reads is decoded whole
    child.stdout.on('data', (chunk: string) => (out += chunk))
    // 'close', not 'exit': the child may be gone while the last of its output is still in the pipe
    expect(await new Promise((resolve) => child.once('close', resolve))).toBe(0)
    const lines = out.split('\n').filter(Boolean)
    expect(lines).toHaveLength(2000)
    const numbers = lines.map((l) => JSON.parse(l) as { n?: number; bytes?: number; title?: string })
    expect(numbers.map((l) => l.n ?? l.bytes)).toEqual([...Array(2000).keys()])
    expect(numbers.slice(0, 1000).map((l) => l.title)).toEqual(
      [...Array(1000).keys()].map((i) => `Қазақ тілі ${i}`),
    )
  })
})
