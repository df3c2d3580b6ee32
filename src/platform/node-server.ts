import { getRequestListener, RequestError } from '@hono/node-server'
import { AppError, problemResponse } from '../http/errors.ts'
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type RequestListener,
  type Server,
} from 'node:http'
import type { Duplex } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { plainPath, plainRequests, type HotFront, type HotRequest } from '../http/hot-front.ts'
import { serviceMethods } from '../http/route-table.ts'

/** What the server serves: the app's fetch, and its hot front for feeds answered before the adapter. */
interface NodeApp {
  fetch: (request: Request) => Response | Promise<Response>
  /** The app's hot front for feeds (`createApp(deps).front`), answered before the fetch adapter. */
  front?: HotFront
}

export interface NodeServerOptions {
  /**
   * Makes the app once the server is bound to `port` (with PORT=0, the port the system chose), before
   * the first connection is read: what links to the server itself can name its real port.
   */
  app: (port: number) => NodeApp
  host: string
  port: number
  /** How long in-flight requests may take to finish after SIGTERM before the process gives up on them. */
  shutdownTimeoutMs: number
  log: { info(message: string, fields?: Record<string, unknown>): void }
  /** Runs after the server has closed (e.g. stop timers, the embedded store). */
  onClosed?: () => Promise<void>
  /** Slow senders and header size (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, HEADERS_MAX_BYTES). */
  limits: HttpLimits
}

/** What Node's HTTP parser enforces before the app sees a request. */
export interface HttpLimits {
  /** The request line and headers must have arrived within this time; then a 408 problem. */
  headersTimeoutMs: number
  /** The whole request, body included, must have arrived within this time; then a 408 problem. */
  requestTimeoutMs: number
  /** Largest request line and headers; more is a 431 problem. */
  maxHeaderBytes: number
}

/** What a request with a method no route knows is told the service accepts. */
const SERVICE_METHODS = serviceMethods()

/** How often Node looks for requests past their timeouts (its default, 30 s, would let them run 30 s over). */
const TIMEOUT_CHECK_MS = 250

/**
 * Serves the app on Node and shuts down gracefully on SIGTERM/SIGINT: stops accepting connections,
 * closes idle keep-alive connections, lets requests in flight finish (bounded), then exits.
 */
export function startNodeServer(options: NodeServerOptions): Promise<Server> {
  return new Promise((resolve, reject) => {
    const { limits } = options
    const server = createServer({
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, limits.headersTimeoutMs),
    })
    server.on('clientError', (error: ParserError, socket: Duplex) => answerClientError(error, socket, limits))
    // A port in use or an address not on this machine: a sentence to act on, not an 'error' event.
    server.once('error', (error: NodeJS.ErrnoException) => reject(new Error(listenFailure(error, options))))
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo
      // Synchronously, in the 'listening' callback: no connection is read before the listener is on.
      try {
        server.on('request', nodeListener(options.app(port), options.host))
      } catch (error) {
        server.close()
        reject(error instanceof Error ? error : new Error(String(error)))
        return
      }
      options.log.info('silkfeed listening', { url: `http://${options.host}:${port}` })
      resolve(server)
    })
    let stopping = false
    const shutdown = (signal: string) => {
      if (stopping) return
      stopping = true
      options.log.info('shutting down: finishing requests in flight', {
        signal,
        timeoutMs: options.shutdownTimeoutMs,
      })
      const force = setTimeout(() => {
        options.log.info('shutdown timed out; closing remaining connections')
        server.closeAllConnections()
        process.exit(1)
      }, options.shutdownTimeoutMs)
      force.unref()
      // Connections that finish their request while draining become idle: close them as they do.
      const reaper = setInterval(() => server.closeIdleConnections(), 50)
      reaper.unref()
      server.close(() => {
        clearInterval(reaper)
        void (options.onClosed?.() ?? Promise.resolve()).then(() => {
          options.log.info('stopped')
          process.exit(0)
        })
      })
      server.closeIdleConnections()
    }
    process.once('SIGTERM', () => shutdown('SIGTERM'))
    process.once('SIGINT', () => shutdown('SIGINT'))
  })
}

/** The app as node:http's request listener: its hot front, then the fetch adapter. */
function nodeListener(app: NodeApp, host: string): RequestListener {
  const adapter = getRequestListener(app.fetch, { hostname: host, errorHandler: unreadable })
  // The adapter answers its own failures (errorHandler); node:http has no use for its promise.
  const listener: RequestListener = (req, res) => void adapter(req, res)
  return app.front ? withHotFront(listener, app.front) : listener
}

/** Why the server could not listen, and what to change. */
function listenFailure(error: NodeJS.ErrnoException, where: { host: string; port: number }): string {
  const address = `${where.host}:${where.port}`
  if (error.code === 'EADDRINUSE')
    return `cannot listen on ${address}: the port is in use; stop what holds it or set PORT to another port (0: any free one)`
  if (error.code === 'EADDRNOTAVAIL')
    return `cannot listen on ${address}: no interface of this machine has that address; set HOST to one it has (127.0.0.1, 0.0.0.0)`
  if (error.code === 'EACCES')
    return `cannot listen on ${address}: not allowed to bind that port; set PORT to 1024 or above`
  return `cannot listen on ${address}: ${error.message}`
}

/**
 * The answer to a request the fetch adapter cannot turn into a Request (an invalid Host, say): a 400
 * problem document, in English since nothing of the request could be read. It happens before the app
 * and before the hot front alike, so a feed's being hot changes nothing.
 */
export function unreadable(error: unknown): Response {
  const code = error instanceof RequestError ? 'BAD_REQUEST' : 'INTERNAL'
  return problemResponse(new AppError(code, { requestId: '-' }), 'en', '/')
}

/**
 * What Node's parser refuses before any listener sees a request (an unknown method, a malformed
 * request line or header, headers too large, a request too slow to arrive) gets a problem document,
 * as every other error does, instead of Node's bare status line; in English, the language of problems
 * without Accept-Language, since no header of the request could be read.
 */
function answerClientError(error: ParserError, socket: Duplex, limits: HttpLimits): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy()
    return
  }
  const problem = parserProblem(error, limits)
  const response = problemResponse(problem, 'en', '/')
  void response.arrayBuffer().then((body) => {
    const head = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`]
    response.headers.forEach((value, name) => head.push(`${name}: ${value}`))
    head.push(`content-length: ${body.byteLength}`, 'connection: close')
    if (socket.writable)
      socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), Buffer.from(body)]))
  })
}

/** An error of Node's HTTP parser: its code, and the bytes it could not parse. */
type ParserError = Error & { code?: string; rawPacket?: Buffer }

/** A method token (RFC 9110 §5.6.2) and the space after it, at the start of a request line. */
const METHOD_TOKEN = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) /

/** The problem a parser refusal is answered with. */
function parserProblem(error: ParserError, limits: HttpLimits): AppError {
  const seconds = (ms: number) => Math.round(ms / 100) / 10
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return new AppError('HEADERS_TOO_LARGE', { kib: Math.floor(limits.maxHeaderBytes / 1024) })
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new AppError('REQUEST_TOO_SLOW', {
      headersSeconds: seconds(limits.headersTimeoutMs),
      requestSeconds: seconds(limits.requestTimeoutMs),
    })
  // A well-formed method Node does not know (FOO, get) is not implemented (RFC 9110 §9.1); bytes that
  // are no method at all (a TLS handshake on the plain port, say) are a malformed request.
  const method =
    error.code === 'HPE_INVALID_METHOD' && METHOD_TOKEN.exec(error.rawPacket?.toString('latin1') ?? '')
  if (method) return new AppError('METHOD_UNKNOWN', { method: method[1]!, allowed: SERVICE_METHODS })
  return new AppError('REQUEST_MALFORMED')
}

/**
 * Node's request listener with the app's hot front before it: a hot feed is written straight from its
 * answer, without a Request or a Response object; everything else, and any request with an unusual
 * Host or body framing, goes through the fetch adapter to the app.
 */
export function withHotFront(listener: RequestListener, front: HotFront): RequestListener {
  const isPlain = plainRequests()
  return (req, res) => {
    // A bearer key may select a partner's answer: the app decides those.
    const answer =
      req.headers.authorization === undefined && isPlain(req.headers.host, req.headers['transfer-encoding'])
        ? front(hotRequestOfNode(req))
        : undefined
    if (!answer) {
      listener(req, res)
      return
    }
    // The flat form, which Node takes as it is, without walking an object's keys.
    res.writeHead(answer.status, answer.rawHeaders)
    res.end(answer.body ?? undefined)
  }
}

/** A Node request as the hot front reads it (headers as Node parsed them: trimmed, repeats joined). */
function hotRequestOfNode(req: IncomingMessage): HotRequest {
  const { headers } = req
  return {
    method: req.method ?? '',
    path: plainPath(req.url ?? ''),
    target: req.url,
    cfRay: single(headers['cf-ray']),
    ifNoneMatch: single(headers['if-none-match']),
    ifModifiedSince: single(headers['if-modified-since']),
    acceptEncoding: single(headers['accept-encoding']),
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined
}
