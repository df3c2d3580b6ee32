import { getRequestListener } from '@hono/node-server'
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { plainPath, type HotFeeds, type HotRequest } from '../http/hot-feeds.ts'

export interface NodeServerOptions {
  fetch: (request: Request) => Response | Promise<Response>
  /** The app's hot path for feeds (`createApp(deps).hotFeeds`), answered before the fetch adapter. */
  hotFeeds?: HotFeeds
  host: string
  port: number
  /** How long in-flight requests may take to finish after SIGTERM before the process gives up on them. */
  shutdownTimeoutMs: number
  log: { info(message: string, fields?: Record<string, unknown>): void }
  /** Runs after the server has closed (e.g. stop timers, the embedded store). */
  onClosed?: () => Promise<void>
}

/**
 * Serves the app on Node and shuts down gracefully on SIGTERM/SIGINT: stops accepting connections,
 * closes idle keep-alive connections, lets requests in flight finish (bounded), then exits.
 */
export function startNodeServer(options: NodeServerOptions): Promise<Server> {
  return new Promise((resolve) => {
    const listener = getRequestListener(options.fetch, { hostname: options.host })
    const server = createServer(options.hotFeeds ? withHotFeeds(listener, options.hotFeeds) : listener)
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo
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

/**
 * Node's request listener with the app's hot path in front: a hot feed is written straight from its
 * answer, without a Request or a Response object (~1.5 µs a request, which the 2-core benchmark
 * machine feels twice); everything else goes through the fetch adapter to the app.
 */
export function withHotFeeds(listener: RequestListener, hotFeeds: HotFeeds): RequestListener {
  return (req, res) => {
    const answer = hotFeeds(hotRequestOfNode(req))
    if (!answer) return listener(req, res)
    const { status, headers, body } = answer
    // As the fetch adapter does: a body goes with its Content-Length, not chunked.
    if (body) headers['content-length'] = String(body.byteLength)
    res.writeHead(status, headers)
    res.end(body ?? undefined)
  }
}

/** A Node request as the hot path reads it (headers as Node parsed them: trimmed, repeats joined). */
function hotRequestOfNode(req: IncomingMessage): HotRequest {
  const header = (name: string) => {
    const value = req.headers[name]
    return typeof value === 'string' ? value : undefined
  }
  return {
    method: req.method ?? '',
    path: plainPath(req.url ?? ''),
    header,
    acceptEncoding: () => header('accept-encoding'),
  }
}
