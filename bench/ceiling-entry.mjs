// An experiment for `npm run bench:serve`, not a server to run: Silkfeed's production entry
// (dist/serve.mjs, imported as it is, with its storage client, caches, timers and logger), except that
// once the app has answered a path a given way, every later request for the same path and way is
// answered as bench/bare-server.mjs answers: the same status, headers and bytes written from memory,
// without the app's own work per request (lookup, conditional GET, request id, metrics, log line).
//
//   npm run build   # BENCH_SERVER_ENTRY skips the bench's own build
//   BENCH_SERVER_ENTRY=bench/ceiling-entry.mjs BENCH_DETAIL=1 npm run bench:serve
//
// It measures how close to the bare server a request can come in Silkfeed's process at all: what is
// left between the two is the process (what else it has run through Node's shared HTTP, stream and
// event code, and its heap), not the request path. Replayed answers repeat their request id.
import http from 'node:http'
import { syncBuiltinESMExports } from 'node:module'
import { wayOf } from './answer-way.mjs'

const original = http.createServer
/**
 * By path, the first answer of each way, as the app wrote it: { status, headers, body }. Found as the
 * bare server finds its own, by the path and then the way, with no key made per request.
 */
const answers = new Map()

const OPERATOR = /^\/(metrics|healthz|readyz)\b/

/** Keeps what the app writes for this request, if it writes its head once and its body in end(). */
function capture(res, ways, way) {
  const answer = { status: 0, headers: undefined, body: undefined }
  let whole = true
  const { writeHead, write, end } = res
  res.writeHead = function (status, ...rest) {
    answer.status = status
    answer.headers = rest.at(-1)
    return writeHead.call(this, status, ...rest)
  }
  res.write = function (...args) {
    whole = false
    return write.apply(this, args)
  }
  res.end = function (body, ...rest) {
    if (whole && (answer.status === 200 || answer.status === 304) && typeof body !== 'function') {
      answer.body = body ?? undefined
      ways[way] = answer
    }
    return end.call(this, body, ...rest)
  }
}

http.createServer = function (options, listener) {
  if (typeof options === 'function') return http.createServer({}, options)
  const replaying = (req, res) => {
    // The operator's endpoints (the bench reads /metrics) are always the app's.
    if ((req.method === 'GET' || req.method === 'HEAD') && !OPERATOR.test(req.url)) {
      let ways = answers.get(req.url)
      if (!ways) answers.set(req.url, (ways = {}))
      const way = wayOf(req.method, req.headers)
      const answer = ways[way]
      if (answer) {
        res.writeHead(answer.status, answer.headers)
        res.end(answer.body)
        return
      }
      capture(res, ways, way)
    }
    listener(req, res)
  }
  return original.call(this, options, replaying)
}
syncBuiltinESMExports()
await import('../dist/serve.mjs')
