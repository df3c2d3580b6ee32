import { mkdtempSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PrometheusTelemetry } from '../../src/http/prometheus.ts'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import type { Logger } from '../../src/ports/observability.ts'
import { instrumentStore } from '../../src/storage/instrumented-object-store.ts'
import { ADMIN_SECRET } from '../support/admin.ts'
import { appOver } from '../support/app.ts'
import { serveOnNode } from '../support/node-server.ts'
import { startSeededS3, storeFor } from '../support/s3.ts'

interface LogEntry {
  level: 'info' | 'warn' | 'error'
  message: string
  fields?: Record<string, unknown>
}

let s3: EmbeddedS3
let closeServer: () => Promise<void>
let port: number
let directory: string
const logs: LogEntry[] = []
const telemetry = new PrometheusTelemetry()

const logger: Logger = {
  info: (message, fields) => logs.push({ level: 'info', message, fields }),
  warn: (message, fields) => logs.push({ level: 'warn', message, fields }),
  error: (message, fields) => logs.push({ level: 'error', message, fields }),
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-hostile-'))
  ;({ embedded: s3 } = await startSeededS3(directory, 'silkfeed-hostile'))
  const store = instrumentStore(storeFor(s3.endpoint, 'silkfeed-hostile', 3000), telemetry, Date.now)
  const app = appOver(store, {}, logger, {}, undefined, {
    adminSecrets: [ADMIN_SECRET],
    telemetry,
    metrics: { render: () => telemetry.render() },
  })
  ;({ port, close: closeServer } = await serveOnNode(app))
})

afterAll(async () => {
  await closeServer()
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

/**
 * Opens a raw connection and sends request headers announcing a body of `length` bytes, or a chunked
 * body of unknown length.
 */
function sendHeaders(
  headers: Record<string, string>,
  length: number | 'chunked',
  path = '/webhooks/republish',
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      const lines = Object.entries({
        host: `127.0.0.1:${port}`,
        ...headers,
        ...(length === 'chunked' ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(length) }),
      })
      socket.write(`POST ${path} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`)
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

/** Everything the server sends on a socket until it closes it. */
function responseOf(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (text += chunk))
    socket.on('error', () => undefined)
    socket.once('close', () => resolve(text))
  })
}

async function metrics(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
}

describe('a webhook that cannot be right, over real HTTP', () => {
  it.each([
    ['no signature', { 'content-type': 'application/json' }, 401, 'BAD_SIGNATURE'],
    [
      'a stale signature',
      { 'content-type': 'application/json', 'silkfeed-signature': `t=1000,v1=${'0'.repeat(64)}` },
      401,
      'BAD_SIGNATURE',
    ],
    [
      'a UTF-16 body',
      {
        'content-type': 'application/json; charset=utf-16',
        'silkfeed-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
      },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
  ])(
    'with %s is answered while its body is still coming, and the connection is closed',
    async (_name, headers, status, code) => {
      // Within the app's 64 KiB limit: only the headers can tell this request apart.
      const socket = await sendHeaders(headers, 60 * 1024)
      const response = responseOf(socket)
      // A first slice of the body, then the sender stalls, holding the connection.
      socket.write(Buffer.alloc(16 * 1024, 0x20))
      const text = await response
      expect(text).toMatch(new RegExp(`^HTTP/1.1 ${status} `))
      expect(text).toContain(`"code": "${code}"`)
    },
  )
})

describe('an admin request that cannot be right, over real HTTP', () => {
  const plausible = () => `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`
  /** Sends one chunk of `size` bytes of a chunked body, which never ends. */
  const chunk = (socket: Socket, size: number) =>
    socket.write(`${size.toString(16)}\r\n${' '.repeat(size)}\r\n`)

  it.each([
    ['no signature', {}, 4 * 1024, 401, 'ADMIN_BAD_SIGNATURE'],
    // Past the admin API's 16 KiB: refused once that much has come, not once the sender stops.
    ['a body past its limit', { 'silkfeed-signature': plausible() }, 32 * 1024, 413, 'PAYLOAD_TOO_LARGE'],
  ])(
    'with %s and a chunked body is answered while its body is still coming',
    async (_name, headers, sent, status, code) => {
      const socket = await sendHeaders(
        { 'content-type': 'application/json', ...headers },
        'chunked',
        '/admin/partners',
      )
      const response = responseOf(socket)
      chunk(socket, sent)
      // The sender stalls, holding the connection: the body has no end for the server to wait for.
      const text = await response
      expect(text).toMatch(new RegExp(`^HTTP/1.1 ${status} `))
      expect(text).toContain(`"code": "${code}"`)
    },
  )
})

describe('a client that hangs up mid-body', () => {
  it('is counted as client-closed (499), logged at info, and not as a server failure', async () => {
    const signature = `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`
    const socket = await sendHeaders(
      { 'content-type': 'application/json', 'silkfeed-signature': signature },
      50_000,
    )
    socket.write('{"upsert": [')
    await new Promise((resolve) => setTimeout(resolve, 100))
    socket.destroy()

    let text = await metrics()
    for (let i = 0; i < 200 && !text.includes('outcome="client_closed"'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      text = await metrics()
    }
    expect(text).toMatch(/silkfeed_webhook_total\{outcome="client_closed",status="499"\} 1/)
    expect(text).not.toMatch(/outcome="failed"/)
    expect(text).not.toMatch(/status="5\d\d"/)
    expect(logs.filter((l) => l.level === 'error')).toEqual([])
    const lines = logs.filter((l) => l.message === 'request' && l.fields?.status === 499)
    expect(lines).toEqual([expect.objectContaining({ level: 'info' })])
    expect(lines[0]!.fields?.path).toBe('/webhooks/republish')
    expect(JSON.stringify(logs)).not.toMatch(/stack/)
  })
})
