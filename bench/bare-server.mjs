// The baseline of `npm run bench:serve`: a bare node:http server answering with bytes and headers held
// in memory, as fast as Node serves anything. It does the least a feed server must: pick the response
// by path, method, If-None-Match and Accept-Encoding. Plain JavaScript, so it runs without a loader.
//
// Reads one JSON line on stdin: { "<path>": { identity, gzip, notModified, head } }, each
// { status, headers, body (base64) }; prints {"port": N} once listening; stops when stdin closes.
//
// BARE_EXTRA_US (bench:serve's calibration only): before each answer, spin this many microseconds,
// a known amount of extra work per request, to see how the bench reads a known difference.
import { createServer } from 'node:http'
import { createInterface } from 'node:readline'
import { wayOf } from './answer-way.mjs'

const routes = new Map()
const extraMs = Number(process.env.BARE_EXTRA_US ?? 0) / 1000

/** Busy for `ms` milliseconds of the clock: work of a known length, and nothing else. */
function spin(ms) {
  const until = performance.now() + ms
  while (performance.now() < until);
}

const server = createServer((req, res) => {
  const cases = routes.get(req.url)
  if (!cases) {
    res.writeHead(404, { 'content-length': 0 })
    res.end()
    return
  }
  if (extraMs > 0) spin(extraMs)
  const chosen = cases[wayOf(req.method, req.headers)]
  res.writeHead(chosen.status, chosen.headers)
  res.end(chosen.body)
})

const lines = createInterface({ input: process.stdin })
lines.once('line', (line) => {
  for (const [path, cases] of Object.entries(JSON.parse(line))) {
    const prepared = {}
    for (const [name, { status, headers, body }] of Object.entries(cases)) {
      prepared[name] = { status, headers, body: body ? Buffer.from(body, 'base64') : undefined }
    }
    routes.set(path, prepared)
  }
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`)
  })
})
lines.on('close', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
