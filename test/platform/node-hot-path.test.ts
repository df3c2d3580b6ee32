import { getRequestListener } from '@hono/node-server'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withHotFeeds } from '../../src/platform/node-server.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'

// The Node entry answers hot feeds straight from node:http, before the fetch adapter. Over real HTTP
// a client must not be able to tell which path answered.

let server: Server
let port: number
let store: MemoryObjectStore

beforeAll(async () => {
  store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  const app = appOver(store)
  server = createServer(withHotFeeds(getRequestListener(app.fetch), app.hotFeeds))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})

afterAll(() => new Promise((resolve) => server.close(resolve)))

interface Raw {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

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

  it('answers 304 and HEAD without a body, with the headers of the 200', async () => {
    const ok = await get('/kk/sco.json')
    const notModified = await get('/kk/sco.json', { 'if-none-match': String(ok.headers.etag) })
    expect(notModified.status).toBe(304)
    expect(notModified.body.byteLength).toBe(0)
    const head = await get('/kk/sco.json', {}, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.body.byteLength).toBe(0)
    for (const res of [notModified, head]) {
      for (const name of ['etag', 'cache-control', 'last-modified', 'vary', 'content-type']) {
        expect(res.headers[name], name).toBe(ok.headers[name])
      }
    }
  })

  it('leaves everything else to the app', async () => {
    expect((await get('/healthz')).status).toBe(200)
    const missing = await get('/ru/nope.rss')
    expect(missing.status).toBe(404)
    expect(missing.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect((await get('/ru/latest.atom?x=1')).status).toBe(200)
  })
})
