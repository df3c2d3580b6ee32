import type { Server } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'
import { httpGet, serveWithHotFront, type Raw } from '../support/node-front.ts'

// The Node entry answers hot feeds straight from node:http, before the fetch adapter. Over real HTTP
// a client must not be able to tell which path answered.

let server: Server
let port: number
let store: MemoryObjectStore

beforeAll(async () => {
  store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  // Fresh for a minute: with the default 2 s, a slow machine reaches a feed's revalidation between
  // two requests of a case, and its storage reads, in the background, land while the hot one runs.
  ;({ server, port } = await serveWithHotFront(appOver(store, { freshMs: 60_000 })))
})

afterAll(() => new Promise((resolve) => server.close(resolve)))

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  httpGet(port, path, headers, method)

const comparable = ({ headers }: Raw) => {
  const { date: _date, 'x-request-id': _id, ...rest } = headers
  return rest
}

describe('hot feeds on Node', () => {
  it.each([['identity'], ['gzip'], ['br']])(
    'answers a hot feed (%s) with the bytes, headers and Content-Length of the app',
    async (coding) => {
      const routed = await get('/ru/latest.atom', { 'accept-encoding': coding })
      const reads = store.requests
      const hot = await get('/ru/latest.atom', { 'accept-encoding': coding })
      expect(store.requests).toBe(reads)
      expect(hot.status).toBe(200)
      expect(comparable(hot)).toEqual(comparable(routed))
      expect(hot.headers['content-length']).toBe(String(hot.body.byteLength))
      expect(hot.headers['transfer-encoding']).toBeUndefined()
      expect(hot.body).toEqual(routed.body)
      expect(hot.headers['x-request-id']).toBe('req-test')
    },
  )

  it('answers 304 with the cache headers of the 200 and none of its body headers (RFC 9110 §15.4.5)', async () => {
    const ok = await get('/kk/sco.json')
    const notModified = await get('/kk/sco.json', { 'if-none-match': String(ok.headers.etag) })
    expect(notModified.status).toBe(304)
    expect(notModified.body.byteLength).toBe(0)
    for (const name of ['etag', 'cache-control', 'last-modified', 'vary']) {
      expect(notModified.headers[name], name).toBe(ok.headers[name])
    }
    expect(notModified.headers.date).toBeDefined()
    for (const name of ['content-type', 'content-encoding', 'content-length', 'transfer-encoding']) {
      expect(notModified.headers[name], name).toBeUndefined()
    }
  })

  it('answers HEAD without a body, with the headers of the 200', async () => {
    const ok = await get('/kk/sco.json')
    const head = await get('/kk/sco.json', {}, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.body.byteLength).toBe(0)
    for (const name of ['etag', 'cache-control', 'last-modified', 'vary', 'content-type']) {
      expect(head.headers[name], name).toBe(ok.headers[name])
    }
  })

  it('leaves everything else to the app', async () => {
    expect((await get('/healthz')).status).toBe(200)
    const missing = await get('/ru/nope.rss')
    expect(missing.status).toBe(404)
    expect(missing.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect((await get('/ru/latest.atom?x=1')).status).toBe(200)
  })

  it.each([
    ['an invalid Host', 'Host: exa mple'],
    ['a Host with a path', 'Host: a/b'],
    ['an unknown Transfer-Encoding', 'Host: localhost\r\nTransfer-Encoding: foo'],
  ])('refuses %s with the same 400 whether or not the feed is hot', async (_, headers) => {
    const ask = () => rawRequest(`GET /zh/latest.rss HTTP/1.1\r\n${headers}\r\nConnection: close\r\n\r\n`)
    const cold = await ask()
    expect((await get('/zh/latest.rss')).status).toBe(200) // now hot
    const hot = await ask()
    expect(cold.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request')
    expect(hot.split('\r\n')[0]).toBe(cold.split('\r\n')[0])
  })

  it('says what to fix in a problem document when the Host cannot be read', async () => {
    const answer = await rawRequest('GET /ru/sco.rss HTTP/1.1\r\nHost: exa mple\r\nConnection: close\r\n\r\n')
    expect(answer).toMatch(/content-type: application\/problem\+json/i)
    expect(answer).toContain('"code": "BAD_REQUEST"')
  })
})

/** Sends bytes as they are (node:http would refuse to send an invalid Host) and reads the whole answer. */
function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text))
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(answer))
  })
}
