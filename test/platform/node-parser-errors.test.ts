import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { serveOnNode, type ServedApp } from '../support/node-server.ts'
import { loadSamples } from '../support/samples.ts'

// What Node's HTTP parser refuses never reaches the app: the Node entry's server answers it from its
// 'clientError' hook. Over raw sockets (node:net), since node:http would not send such requests.

let served: ServedApp

beforeAll(async () => {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  served = await serveOnNode(appOver(store))
})

afterAll(() => served.close())

interface Answer {
  status: number
  /** Header lines, lower-cased. */
  headers: string
  body: string
}

/** Sends bytes as they are and reads the answer until the server closes the connection. */
function rawRequest(text: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(served.port, '127.0.0.1', () => socket.end(text))
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const split = answer.indexOf('\r\n\r\n')
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0),
        headers: answer.slice(0, Math.max(0, split)).toLowerCase(),
        body: Buffer.from(answer.slice(split + 4), 'latin1').toString('utf8'),
      })
    })
  })
}

function problemOf(answer: Answer): { status: number; code: string; title: string; detail: string } {
  expect(answer.headers).toContain('content-type: application/problem+json; charset=utf-8')
  expect(answer.headers).toContain('connection: close')
  expect(answer.headers).toContain('content-language: en')
  return JSON.parse(answer.body) as { status: number; code: string; title: string; detail: string }
}

describe('requests Node’s parser refuses, on the Node server', () => {
  it.each([['FOO'], ['get'], ['GETX']])(
    'answers the unknown method %s with a 400 problem naming the methods the service accepts',
    async (method) => {
      const answer = await rawRequest(`${method} /ru/latest.atom HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
      expect(answer.status).toBe(400)
      const problem = problemOf(answer)
      expect(problem).toMatchObject({
        status: 400,
        code: 'METHOD_UNKNOWN',
        title: 'Unknown method',
      })
      expect(problem.detail).toBe(
        `${method} is not a method this service knows. It accepts GET, HEAD, OPTIONS, POST.`,
      )
      expect((await fetch(`http://127.0.0.1:${served.port}/ru/latest.atom`)).status).toBe(200)
    },
  )

  it('still answers a method Node knows but no route has with a 405 and Allow', async () => {
    const answer = await rawRequest(
      'PROPFIND /ru/latest.atom HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    )
    expect(answer.status).toBe(405)
    expect(answer.headers).toContain('allow: get, head, options')
  })

  it.each([
    [
      'bytes that are no request line (a TLS handshake)',
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n',
    ],
    ['a request line without a target', 'GET\r\nHost: 127.0.0.1\r\n\r\n'],
    ['an unknown HTTP version', 'GET /ru/latest.atom HTTP/9.1\r\nHost: 127.0.0.1\r\n\r\n'],
    [
      'a header name with a space',
      'GET /ru/latest.atom HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\n\r\n',
    ],
  ])('answers %s with a 400 problem about the request’s syntax, not its Host', async (_, request) => {
    const answer = await rawRequest(request)
    expect(answer.status).toBe(400)
    const problem = problemOf(answer)
    expect(problem).toMatchObject({ status: 400, code: 'REQUEST_MALFORMED' })
    expect(problem.detail).toContain('HTTP/1.1')
    expect(problem.detail).not.toContain('Host')
  })
})
