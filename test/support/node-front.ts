import { getRequestListener } from '@hono/node-server'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { HotFront } from '../../src/http/hot-front.ts'
import { unreadable, withHotFront } from '../../src/platform/node-server.ts'

/** An answer as node:http received it: status, headers as Node parsed them, the body's bytes. */
export interface Raw {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** The app served as the Node entry serves it (its hot front before the fetch adapter), on a free port. */
export async function serveWithHotFront(app: {
  fetch: (request: Request) => Response | Promise<Response>
  front: HotFront
}): Promise<{ server: Server; port: number }> {
  const adapter = getRequestListener(app.fetch, { errorHandler: unreadable })
  const server = createServer(withHotFront((req, res) => void adapter(req, res), app.front))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as AddressInfo).port }
}

/** One request over real HTTP, with node:http (no decompression, headers as sent). */
export function httpGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Raw> {
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
