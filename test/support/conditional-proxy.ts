import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { storeFor } from './s3.ts'

/** An S3 endpoint in front of s3rver that keeps to conditional PUTs, for processes that share it. */
export interface ConditionalProxy {
  /** `http://127.0.0.1:<port>`, for S3_ENDPOINT. */
  endpoint: string
  /** Conditional PUTs that reached the store, and those refused with 412. */
  counts: { conditional: number; refused: number }
  close(): Promise<void>
}

const PRECONDITION_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
  '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
  '<RequestId>conditional-proxy</RequestId></Error>'

/**
 * What test/support/conditional-store.ts does in one process, over HTTP for several: a PUT with
 * `If-Match: <etag>` or `If-None-Match: *` is checked against the object s3rver holds and refused
 * with 412 (as AWS S3 and R2 answer) when it does not hold. The check and the write of a key are one
 * step (PUTs of a key are taken one at a time); everything else passes through unchanged.
 */
export function startConditionalProxy(options: {
  upstreamPort: number
  bucket: string
}): Promise<ConditionalProxy> {
  const upstreamUrl = `http://127.0.0.1:${options.upstreamPort}`
  const store = storeFor(upstreamUrl, options.bucket)
  const counts = { conditional: 0, refused: 0 }
  const tails = new Map<string, Promise<unknown>>()

  const forward = (req: IncomingMessage, res: ServerResponse, body?: Buffer) =>
    new Promise<void>((done) => {
      const { method, headers } = req
      const upstream = httpRequest(`${upstreamUrl}${req.url ?? '/'}`, { method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res).once('finish', done)
        answer.once('error', () => done())
      })
      upstream.on('error', () => {
        res.socket?.destroy()
        done()
      })
      if (body) upstream.end(body)
      else req.pipe(upstream)
    })

  /** Reads the whole body, checks the condition against the stored object, then writes or refuses. */
  const conditionalPut = async (req: IncomingMessage, res: ServerResponse, key: string) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const ifMatch = req.headers['if-match']
    const current = await store.get(key).catch(() => undefined)
    counts.conditional++
    if (current === undefined) {
      res.writeHead(503, { 'content-type': 'application/xml' }).end()
      return
    }
    const holds = ifMatch !== undefined ? current?.etag === ifMatch : current === null
    if (!holds) {
      counts.refused++
      res.writeHead(412, { 'content-type': 'application/xml' }).end(PRECONDITION_XML)
      return
    }
    await forward(req, res, Buffer.concat(chunks))
  }

  const server = createServer((req, res) => {
    const conditional = req.headers['if-match'] !== undefined || req.headers['if-none-match'] === '*'
    if (req.method !== 'PUT' || !conditional) {
      void forward(req, res)
      return
    }
    const path = new URL(req.url ?? '/', 'http://proxy').pathname
    const key = decodeURIComponent(path.slice(`/${options.bucket}/`.length))
    const run = () => conditionalPut(req, res, key)
    const done = (tails.get(key) ?? Promise.resolve()).then(run, run)
    const tail = done.catch(() => undefined)
    tails.set(key, tail)
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
  })

  const close = () => {
    server.closeAllConnections()
    return new Promise<void>((closed) => server.close(() => closed()))
  }
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts, close })
    })
  })
}
