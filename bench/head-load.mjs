// A keep-alive HEAD load generator for `npm run bench:serve`, used only where wrk cannot measure HEAD:
// wrk 4.1 parses a response to HEAD as if it had the body its Content-Length announces, waits for it,
// and completes no request. A response to HEAD ends at the blank line after its headers, so this
// client only looks for that. Prints one JSON line, in wrk's terms (µs).
//
// node bench/head-load.mjs <url> <connections> <seconds> [headers as JSON]
import { connect } from 'node:net'

const [url, connectionsArg, secondsArg, headersArg] = process.argv.slice(2)
const target = new URL(url)
const extra = Object.entries(JSON.parse(headersArg ?? '{}'))
  .map(([k, v]) => `${k}: ${v}\r\n`)
  .join('')
const request = Buffer.from(`HEAD ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\n${extra}\r\n`)
const OK = Buffer.from('HTTP/1.1 200 ')
const CRLFCRLF = [13, 10, 13, 10]

let latencies = new Float64Array(1 << 16)
let count = 0
const errors = { connect: 0, read: 0, write: 0, status: 0, timeout: 0 }
let running = true
const started = performance.now()
const deadline = started + Number(secondsArg) * 1000

function record(ms) {
  if (count === latencies.length) {
    const grown = new Float64Array(latencies.length * 2)
    grown.set(latencies)
    latencies = grown
  }
  latencies[count++] = ms
}

function open() {
  return new Promise((resolve) => {
    const socket = connect({ host: target.hostname, port: Number(target.port), noDelay: true })
    let matched = 0 // bytes of CRLFCRLF matched so far
    let atStart = true
    let sentAt = 0
    const send = () => {
      if (!running || performance.now() >= deadline) {
        running = false
        socket.end()
        return
      }
      sentAt = performance.now()
      socket.write(request)
    }
    socket.on('connect', send)
    socket.on('data', (chunk) => {
      for (let i = 0; i < chunk.length; i++) {
        if (atStart) {
          atStart = false
          if (chunk.length - i >= OK.length && !chunk.subarray(i, i + OK.length).equals(OK)) errors.status++
        }
        matched = chunk[i] === CRLFCRLF[matched] ? matched + 1 : chunk[i] === 13 ? 1 : 0
        if (matched === 4) {
          matched = 0
          atStart = true
          record(performance.now() - sentAt)
          send()
        }
      }
    })
    socket.on('error', () => errors.read++)
    socket.on('close', resolve)
  })
}

await Promise.all(Array.from({ length: Number(connectionsArg) }, open))
const durationUs = Math.round((performance.now() - started) * 1000)
const sorted = latencies.subarray(0, count).sort()
const percentile = (p) => Math.round((sorted[Math.min(count - 1, Math.floor((count * p) / 100))] ?? 0) * 1000)
process.stdout.write(
  `${JSON.stringify({ requests: count, durationUs, p50Us: percentile(50), p99Us: percentile(99), errors })}\n`,
)
