import { serve } from '@hono/node-server'
import type { Server } from 'node:http'

export interface NodeServerOptions {
  fetch: (request: Request) => Response | Promise<Response>
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
    const server = serve({ fetch: options.fetch, hostname: options.host, port: options.port }, (info) => {
      options.log.info('silkfeed listening', { url: `http://${options.host}:${info.port}` })
      resolve(server as Server)
    }) as Server
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
