import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { parseConfig } from '../../src/platform/config.ts'
import type { HttpLimits } from '../../src/platform/node-server.ts'
import { appOver } from '../support/app.ts'
import { serveOnNode } from '../support/node-server.ts'
import { startSeededS3, storeFor } from '../support/s3.ts'

// Slow senders and oversized headers against the Node server over real sockets (node:net): Node's
// parser enforces HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS and HEADERS_MAX_BYTES, and each refusal is
// a problem document. Limits far below the defaults keep the test short.

const LIMITS: HttpLimits = { headersTimeoutMs: 800, requestTimeoutMs: 2000, maxHeaderBytes: 4096 }

let s3: EmbeddedS3
let closeServer: () => Promise<void>
let port: number
let directory: string

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-slow-'))
  ;({ embedded: s3 } = await startSeededS3(directory, 'silkfeed-slow'))
  const app = appOver(storeFor(s3.endpoint, 'silkfeed-slow', 3000))
  ;({ port, close: closeServer } = await serveOnNode(app, LIMITS))
})

afterAll(async () => {
  await closeServer()
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

interface Answer {
  status: number
  headers: string
  body: string
  /** Bytes of the request written before the server closed the connection. */
  sent: number
}

/**
 * Sends `head` at once, then `trickled` one byte every `gapMs` until the server answers and closes;
 * resolves with the answer (status 0 when the connection closed without one).
 */
function trickle(head: string, trickled: string, gapMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    let text = ''
    let sent = 0
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head)
      const timer = setInterval(() => {
        if (socket.destroyed || !socket.writable || sent >= trickled.length) clearInterval(timer)
        else socket.write(trickled[sent++]!)
      }, gapMs)
      socket.once('close', () => clearInterval(timer))
    })
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (text += chunk))
    socket.on('error', () => undefined)
    socket.once('close', () => {
      const split = text.indexOf('\r\n\r\n')
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        headers: text.slice(0, Math.max(0, split)).toLowerCase(),
        body: Buffer.from(text.slice(split + 4), 'latin1').toString('utf8'),
        sent,
      })
    })
  })
}

function problemOf(answer: Answer): { status: number; code: string; detail: string } {
  expect(answer.headers).toContain('content-type: application/problem+json')
  return JSON.parse(answer.body) as { status: number; code: string; detail: string }
}

describe('slow senders and oversized headers on the Node server', () => {
  it('cuts off headers trickled byte by byte with a 408 problem, while a normal reader is served', async () => {
    const request = `GET /ru/sco.rss HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ${'slow'.repeat(50)}\r\n\r\n`
    const slow = trickle('', request, 20)
    const reader = await fetch(`http://127.0.0.1:${port}/ru/sco.json`)
    expect(reader.status).toBe(200)
    expect(((await reader.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0)

    const answer = await slow
    expect(answer.status).toBe(408)
    expect(answer.sent).toBeLessThan(request.length)
    const problem = problemOf(answer)
    expect(problem).toMatchObject({ status: 408, code: 'REQUEST_TOO_SLOW' })
    expect(problem.detail).toContain('0.8 seconds')
  })

  it('cuts off a body trickled past REQUEST_TIMEOUT_MS with a 408 problem, nothing stored', async () => {
    const body = JSON.stringify({ upsert: [{ id: 'slow-body', locale: 'ru' }] }).padEnd(400, ' ')
    const head =
      `POST /webhooks/republish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Silkfeed-Signature: t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}\r\n` +
      `Content-Length: ${body.length}\r\n\r\n`
    const answer = await trickle(head, body, 50)
    expect(answer.status).toBe(408)
    expect(answer.sent).toBeLessThan(body.length)
    expect(problemOf(answer)).toMatchObject({ status: 408, code: 'REQUEST_TOO_SLOW' })
    expect(await storeFor(s3.endpoint, 'silkfeed-slow').list('articles/slow-body')).toEqual([])
  })

  it('answers headers over HEADERS_MAX_BYTES with a 431 problem that says the limit, and keeps serving', async () => {
    const request = `GET /ru/sco.rss HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${'c'.repeat(6000)}\r\n\r\n`
    const answer = await trickle(request, '', 10)
    expect(answer.status).toBe(431)
    const problem = problemOf(answer)
    expect(problem).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' })
    expect(problem.detail).toContain('4 KiB')
    expect((await fetch(`http://127.0.0.1:${port}/ru/sco.rss`)).status).toBe(200)
  })

  it('reads its limits from the environment, with documented defaults, and refuses headers slower than the request', () => {
    expect(parseConfig({}).http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      maxHeaderBytes: 16_384,
    })
    expect(
      parseConfig({ HEADERS_TIMEOUT_MS: '2000', REQUEST_TIMEOUT_MS: '5000', HEADERS_MAX_BYTES: '8192' }).http,
    ).toEqual({ headersTimeoutMs: 2000, requestTimeoutMs: 5000, maxHeaderBytes: 8192 })
    expect(() => parseConfig({ HEADERS_TIMEOUT_MS: '9000', REQUEST_TIMEOUT_MS: '5000' })).toThrow(
      /HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS/,
    )
  })
})
