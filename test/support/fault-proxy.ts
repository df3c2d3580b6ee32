import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { seededRandom } from './seeded.ts'

/** The faults the proxy can inject, each with the share of requests (0–1) that get it. */
export interface FaultRates {
  /** Answered `500 InternalError` at once; the store never sees the request. */
  error500: number
  /** Answered `503 SlowDown` with S3's XML error body at once; the store never sees the request. */
  slowDown: number
  /** The connection is closed without an answer before the request reaches the store. */
  drop: number
  /** The connection is reset after part of the request body arrived; the store never sees it. */
  resetRequest: number
  /** The store answers, but the connection is reset after half of the answer's body. */
  resetResponse: number
  /** Requests delayed by up to `latencyMs` before being forwarded. */
  latency: number
  latencyMs: number
}

type FaultKind = Exclude<keyof FaultRates, 'latencyMs'>

export const NO_FAULTS: FaultRates = {
  error500: 0,
  slowDown: 0,
  drop: 0,
  resetRequest: 0,
  resetResponse: 0,
  latency: 0,
  latencyMs: 0,
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`, for S3_ENDPOINT. */
  endpoint: string
  /** Requests seen, and faults injected by kind. */
  counts: { requests: number } & Record<FaultKind, number>
  /** Faults injected in all (latency not counted: the request still succeeds). */
  faults(): number
  setRates(rates: FaultRates): void
  close(): Promise<void>
}

const SLOW_DOWN_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>' +
  '<Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>'
const INTERNAL_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>' +
  '<Message>We encountered an internal error. Please try again.</Message><RequestId>fault-proxy</RequestId></Error>'

/**
 * An HTTP proxy on 127.0.0.1 in front of an S3-protocol server that injects faults at the given rates.
 * Each request draws its fate from a generator seeded with `seed`, in arrival order, so a run with one
 * client at a time replays exactly; with many it replays the same mix.
 */
export function startFaultProxy(options: {
  upstreamPort: number
  rates: FaultRates
  seed: number
}): Promise<FaultProxy> {
  const random = seededRandom(options.seed)
  let rates = options.rates
  const counts = {
    requests: 0,
    error500: 0,
    slowDown: 0,
    drop: 0,
    resetRequest: 0,
    resetResponse: 0,
    latency: 0,
  }

  const pick = (): FaultKind | undefined => {
    let roll = random()
    for (const kind of ['error500', 'slowDown', 'drop', 'resetRequest', 'resetResponse'] as const) {
      if (roll < rates[kind]) return kind
      roll -= rates[kind]
    }
    return undefined
  }

  const server: Server = createServer((req, res) => {
    counts.requests++
    const fault = pick()
    const delay = random() < rates.latency ? Math.floor(random() * rates.latencyMs) : 0
    if (fault) counts[fault]++
    if (delay > 0) counts.latency++
    const errorAnswer = (status: number, xml: string) => {
      req.resume()
      res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) })
      res.end(xml)
    }
    switch (fault) {
      case 'error500':
        errorAnswer(500, INTERNAL_XML)
        return
      case 'slowDown':
        errorAnswer(503, SLOW_DOWN_XML)
        return
      case 'drop':
        req.socket.destroy()
        return
      case 'resetRequest':
        // Wait for the first bytes of the body (if any), then cut the connection.
        req.once('data', () => req.socket.resetAndDestroy())
        req.once('end', () => req.socket.resetAndDestroy())
        return
      default:
        setTimeout(() => forward(req, res, fault === 'resetResponse'), delay)
    }
  })

  const forward = (req: IncomingMessage, res: import('node:http').ServerResponse, cut: boolean) => {
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: options.upstreamPort,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        if (!cut) {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
          return
        }
        // The store has done the work; the client loses the answer half-way through its body.
        const chunks: Buffer[] = []
        answer.on('data', (chunk: Buffer) => chunks.push(chunk))
        answer.on('end', () => {
          const body = Buffer.concat(chunks)
          res.writeHead(answer.statusCode ?? 502, {
            ...answer.headers,
            'content-length': String(Math.max(1, body.byteLength)),
          })
          res.write(body.subarray(0, Math.floor(body.byteLength / 2)))
          setImmediate(() => res.socket?.resetAndDestroy())
        })
      },
    )
    upstream.on('error', () => res.socket?.destroy())
    req.pipe(upstream)
  }

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        counts,
        faults: () =>
          counts.error500 + counts.slowDown + counts.drop + counts.resetRequest + counts.resetResponse,
        setRates: (next) => {
          rates = next
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })
}
