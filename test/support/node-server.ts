import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { createApp } from '../../src/http/app.ts'
import { parseConfig } from '../../src/platform/config.ts'
import { startNodeServer, type HttpLimits } from '../../src/platform/node-server.ts'

/** An app served in this process by the Node entry's server on a free loopback port. */
export interface ServedApp {
  server: Server
  port: number
  /** Closes every connection and the server. */
  close: () => Promise<void>
}

/** Serves `app` as `npm run serve` does (hot front, problem documents from the parser, `limits`). */
export async function serveOnNode(
  app: ReturnType<typeof createApp>,
  limits: HttpLimits = parseConfig({}).http,
): Promise<ServedApp> {
  const server = await startNodeServer({
    app: () => app,
    host: '127.0.0.1',
    port: 0,
    shutdownTimeoutMs: 1000,
    limits,
    log: { info: () => {} },
  })
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
