import fc from 'fast-check'
import { METHODS } from 'node:http'
import { connect } from 'node:net'

/** One HTTP exchange over a raw socket, as a client that may send anything sees it. */
export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

export interface HostileRequest {
  method: string
  target: string
  headers: [string, string][]
  body: string
}

/** The bytes of a request as written (Connection: close), with a Host and, where needed, Content-Length. */
function requestBytes(base: string, request: HostileRequest, extraHeaders: string[] = []): Buffer {
  const { hostname, port } = new URL(base)
  const body = Buffer.from(request.body)
  const head = [
    `${request.method} ${request.target} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    'Connection: close',
    ...extraHeaders,
    ...request.headers.map(([name, value]) => `${name}: ${value}`),
    ...(body.byteLength > 0 || ['POST', 'PUT', 'PATCH'].includes(request.method)
      ? [`Content-Length: ${body.byteLength}`]
      : []),
  ].join('\r\n')
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body])
}

/**
 * Writes `bytes` on a new connection, all at once or (with `gapMs`) one byte at a time, and reads the
 * whole answer; status 0 if none came.
 */
function exchange(base: string, bytes: Buffer, timeoutMs: number, gapMs?: number): Promise<RawAnswer> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket = connect(Number(port), hostname)
    socket.setTimeout(timeoutMs, () => socket.destroy())
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => {})
    socket.on('close', () => resolve(parseAnswer(Buffer.concat(chunks))))
    // Not end(): a client that half-closes has hung up as far as the server is concerned.
    if (gapMs === undefined) {
      socket.write(bytes)
      return
    }
    let sent = 0
    const timer = setInterval(() => {
      if (sent >= bytes.length || !socket.writable) clearInterval(timer)
      else socket.write(bytes.subarray(sent, ++sent))
    }, gapMs)
    socket.on('close', () => clearInterval(timer))
  })
}

/** Sends a request as written (Connection: close) and reads the whole answer; status 0 if none came. */
export function sendRaw(base: string, request: HostileRequest, timeoutMs = 10_000): Promise<RawAnswer> {
  return exchange(base, requestBytes(base, request), timeoutMs)
}

/**
 * Sends a request's line and headers one byte every `gapMs`, padded so that they take at least a
 * minute to arrive: the server's headers timeout (HEADERS_TIMEOUT_MS) must cut it off first.
 */
function trickleHeaders(base: string, request: HostileRequest, gapMs: number): Promise<RawAnswer> {
  const pad = `X-Slow: ${'s'.repeat(Math.ceil(60_000 / gapMs))}`
  return exchange(base, requestBytes(base, request, [pad]), 90_000, gapMs)
}

function parseAnswer(raw: Buffer): RawAnswer {
  const text = raw.toString('latin1')
  const split = text.indexOf('\r\n\r\n')
  if (split < 0) return { status: 0, headers: {}, body: text }
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let body = raw.subarray(Buffer.byteLength(text.slice(0, split + 4), 'latin1'))
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body)
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0),
    headers,
    body: body.toString('utf8'),
  }
}

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = []
  let at = 0
  for (;;) {
    const end = body.indexOf('\r\n', at)
    if (end < 0) break
    const size = parseInt(body.subarray(at, end).toString('latin1'), 16)
    if (!(size > 0)) break
    out.push(body.subarray(end + 2, end + 2 + size))
    at = end + 2 + size + 2
  }
  return Buffer.concat(out)
}

/** What no answer may show: a stack frame, an error class, a file path of the server. */
const INTERNAL_DETAIL =
  /\bat [\w$.<>]+ \(|\bat file:|\b\w*Error: |\/work\/|\/home\/|node_modules|\.[cm]?[jt]s:\d+/

/** Every way an answer breaks the contract for hostile clients (empty: it holds). */
export function violationsOf(request: HostileRequest, answer: RawAnswer): string[] {
  const what = `${request.method} ${request.target.slice(0, 80)} → ${answer.status}`
  const problems: string[] = []
  if (answer.status === 0) return [`${what}: no answer`]
  if (answer.status >= 500 && !(answer.status === 503 && answer.headers['retry-after']))
    problems.push(`${what}: a 5xx other than 503 with Retry-After`)
  if (answer.status >= 400) {
    if (INTERNAL_DETAIL.test(answer.body))
      problems.push(`${what}: internal detail: ${answer.body.slice(0, 200)}`)
    if (request.method !== 'HEAD' && !answer.headers['content-encoding']) {
      const type = answer.headers['content-type'] ?? ''
      if (!type.startsWith('application/problem+json')) problems.push(`${what}: content type ${type}`)
      else {
        try {
          const doc = JSON.parse(answer.body) as Record<string, unknown>
          if (typeof doc.type !== 'string' || typeof doc.title !== 'string' || doc.status !== answer.status)
            problems.push(`${what}: problem document without type, title or status`)
        } catch {
          problems.push(`${what}: problem document that is not JSON`)
        }
      }
    }
  }
  return problems
}

const KNOWN_PATHS = [
  '/',
  '/ru/latest.rss',
  '/zh/sco.atom',
  '/kk-latn/latest.json',
  '/uz/sco.rss',
  '/ru/latest',
  '/feeds.opml',
  '/webhooks/republish',
  '/healthz',
  '/readyz',
  '/metrics',
  '/openapi.json',
  '/ru/changes',
  '/p/0000/ru/latest.rss',
]
const SEGMENTS = [
  '..',
  '%2e%2e',
  '%00',
  '%ff',
  '%E2%80%AE',
  'ru',
  'zz',
  'latest.rss',
  'sco.json',
  'x'.repeat(300),
  '~',
  '.atom',
  'p',
  'ÿ',
  '%',
  ';',
  '@',
]
const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-_.~%'.split('')
const SAFE_VALUE = fc.stringMatching(/^[\x20-\x7e]{0,60}$/).map((s) => s.trim())
const INVALID_DATES = ['2030', '9999', '2026-12-05', 'Sat, 32 Dec 2026 99:00:00 GMT', 'yesterday', '0', '-1']
const VALID_DATES = [
  'Sat, 05 Dec 2026 10:00:00 GMT',
  'Thu, 01 Jan 1970 00:00:00 GMT',
  'Fri, 31 Dec 9999 23:59:59 GMT',
]

const header = fc.oneof(
  fc.constantFrom(...INVALID_DATES, ...VALID_DATES).map((v) => ['If-Modified-Since', v] as [string, string]),
  fc
    .constantFrom('*', '"abc"', 'W/"x"', 'garbage', '"a", W/"b"')
    .map((v) => ['If-None-Match', v] as [string, string]),
  fc
    .constantFrom('gzip', 'br', 'identity;q=0', '*;q=0', 'gzip;q=abc', 'deflate, br;q=0.5')
    .map((v) => ['Accept-Encoding', v] as [string, string]),
  fc
    .constantFrom('kk, ru;q=0.5', 'zh-Hant-TW', 'uz-Cyrl', '*', 'q=;;')
    .map((v) => ['Accept-Language', v] as [string, string]),
  fc.constantFrom('https://reader.example', 'null').map((v) => ['Origin', v] as [string, string]),
  fc
    .constantFrom('GET', 'DELETE', 'get', 'X Y')
    .map((v) => ['Access-Control-Request-Method', v] as [string, string]),
  fc
    .constantFrom('if-none-match', 'x-junk, authorization')
    .map((v) => ['Access-Control-Request-Headers', v] as [string, string]),
  fc
    .constantFrom(
      'application/json',
      'application/json; charset=utf-16',
      'text/plain',
      'multipart/form-data; boundary=x',
    )
    .map((v) => ['Content-Type', v] as [string, string]),
  fc
    .constantFrom('t=1,v1=00', `t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}`, 'garbage')
    .map((v) => ['Silkfeed-Signature', v] as [string, string]),
  fc.constantFrom('Bearer junk', 'Basic Zm9vOmJhcg==').map((v) => ['Authorization', v] as [string, string]),
  fc.constantFrom('bytes=0-10', 'bytes=-5', 'lines=1').map((v) => ['Range', v] as [string, string]),
  fc.tuple(fc.constantFrom('X-Junk', 'Idempotency-Key', 'Cookie', 'Referer', 'CF-Ray'), SAFE_VALUE),
)

/** Requests a hostile client might send: any method, path, query, headers and body a socket can carry. */
const hostileRequest: fc.Arbitrary<HostileRequest> = fc.record({
  method: fc.oneof(
    fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND'),
    fc.stringMatching(/^[A-Z]{1,10}$/),
  ),
  target: fc
    .tuple(
      fc.oneof(
        fc.constantFrom(...KNOWN_PATHS),
        fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 5 }).map((s) => `/${s.join('/')}`),
        fc.array(fc.constantFrom(...TOKEN_CHARS), { maxLength: 40 }).map((c) => `/${c.join('')}`),
      ),
      fc.option(
        fc
          .array(fc.tuple(fc.constantFrom('cursor', 'wait', 'limit', 'x', 'lang', ''), SAFE_VALUE), {
            maxLength: 4,
          })
          .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')),
      ),
    )
    .map(([path, query]) => (query === null ? path : `${path}?${query}`)),
  headers: fc.array(header, { maxLength: 6 }),
  body: fc.oneof(
    fc.constant(''),
    fc.constantFrom(
      '{}',
      '{"rebuild":"all"}',
      '{"upsert":[{"id":"x"}]}',
      '[',
      'null',
      '{"a":' + '['.repeat(500),
    ),
    fc.string({ unit: 'grapheme', maxLength: 500 }),
  ),
})

/** A webhook POST that announces a large body, sends part of it, and hangs up. */
function disconnectMidBody(base: string): Promise<void> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    socket.on('error', () => {})
    socket.on('close', () => resolve())
    socket.write(
      `POST /webhooks/republish HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
        `Silkfeed-Signature: t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}\r\n` +
        `Content-Length: 100000\r\n\r\n{"upsert":[${'{"id":"x"},'.repeat(200)}`,
      () => setTimeout(() => socket.destroy(), 20),
    )
  })
}

/** A webhook body trickled a byte at a time: the configured body timeout must cut it off (status 0 if not). */
function trickleBody(base: string, gapMs: number): Promise<RawAnswer> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket = connect(Number(port), hostname)
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => {})
    socket.on('close', () => resolve(parseAnswer(Buffer.concat(chunks))))
    socket.write(
      `POST /webhooks/republish HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Silkfeed-Signature: t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}\r\nContent-Length: 1000\r\n\r\n`,
    )
    let sent = 0
    const timer = setInterval(() => {
      if (++sent >= 1000 || socket.destroyed) clearInterval(timer)
      else socket.write(' ')
    }, gapMs)
  })
}

/** Would Node's parser refuse this request line (unknown method, a byte a URL may not hold)? */
function refusedLine(request: HostileRequest): boolean {
  return !METHODS.includes(request.method) || /[^\x21-\x7e]/.test(request.target)
}

const FLOODED = ['/readyz', '/healthz', '/metrics', '/zz/nope.rss', '/', '/ru/latest', '/feeds.opml']

export interface HostileReport {
  requests: number
  violations: string[]
  /** 5xx answers other than 503 with Retry-After. */
  unexpected5xx: number
}

/**
 * The hostile-client campaign against a running server: `runs` fuzzed requests (fast-check, seeded),
 * then the classes of issue 17 on purpose: disconnects mid-body, a trickled body (the server must run
 * with WEBHOOK_BODY_TIMEOUT_MS far below 1000 × `trickleGapMs`), unsupported methods, preflights,
 * invalid dates, a flood of `floodSize` concurrent unauthenticated requests, and generated requests
 * with their headers trickled (cut off by HEADERS_TIMEOUT_MS; the campaign takes about that long).
 */
export async function runHostileCampaign(options: {
  base: string
  runs: number
  seed: number
  floodSize?: number
  trickleGapMs?: number
  /** How many generated requests to send with their headers trickled (default 8). */
  trickledHeaders?: number
}): Promise<HostileReport> {
  const { base } = options
  const report: HostileReport = { requests: 0, violations: [], unexpected5xx: 0 }
  const record = (request: HostileRequest, answer: RawAnswer) => {
    report.requests++
    const found = violationsOf(request, answer)
    if (found.some((v) => v.includes('a 5xx'))) report.unexpected5xx++
    report.violations.push(...found)
  }
  const plain = (method: string, target: string, headers: [string, string][] = []): HostileRequest => ({
    method,
    target,
    headers,
    body: '',
  })

  await fc.assert(
    fc.asyncProperty(hostileRequest, async (request) => {
      record(request, await sendRaw(base, request))
    }),
    { numRuns: options.runs, seed: options.seed },
  )

  await Promise.all(Array.from({ length: 20 }, () => disconnectMidBody(base)))
  report.requests += 20

  const expect = (request: HostileRequest, answer: RawAnswer, ok: boolean, what: string) => {
    record(request, answer)
    if (!ok) report.violations.push(`${request.method} ${request.target}: ${what}, got ${answer.status}`)
  }
  for (const method of ['DELETE', 'PUT', 'PATCH', 'POST']) {
    const request = plain(method, '/ru/latest.rss')
    const answer = await sendRaw(base, request)
    expect(request, answer, answer.status === 405 && Boolean(answer.headers.allow), '405 with Allow')
  }
  const preflight = plain('OPTIONS', '/ru/sco.json', [
    ['Origin', 'https://reader.example'],
    ['Access-Control-Request-Method', 'GET'],
    ['Access-Control-Request-Headers', 'if-none-match'],
  ])
  const preflightAnswer = await sendRaw(base, preflight)
  expect(
    preflight,
    preflightAnswer,
    preflightAnswer.status === 204 &&
      /GET/.test(preflightAnswer.headers['access-control-allow-methods'] ?? ''),
    '204 with the allowed methods',
  )
  for (const date of INVALID_DATES) {
    const request = plain('GET', '/ru/sco.rss', [['If-Modified-Since', date]])
    const answer = await sendRaw(base, request)
    expect(request, answer, answer.status === 200, `If-Modified-Since ${date} ignored (200)`)
  }

  const flood = Array.from({ length: options.floodSize ?? 200 }, (_, i) =>
    i % 8 === 7
      ? {
          ...plain('POST', '/webhooks/republish', [['Content-Type', 'application/json']]),
          body: '{"rebuild":"all"}',
        }
      : plain('GET', FLOODED[i % FLOODED.length]!),
  )
  const answers = await Promise.all(flood.map((request) => sendRaw(base, request)))
  flood.forEach((request, i) => record(request, answers[i]!))

  const trickle = await trickleBody(base, options.trickleGapMs ?? 100)
  report.requests++
  if (trickle.status !== 408)
    report.violations.push(`a trickled webhook body was not cut off with 408 (${trickle.status})`)

  // Generated requests whose line and headers are trickled byte by byte, all at once: each is cut
  // off by the headers timeout with a 408 problem document.
  const slow = fc.sample(hostileRequest, { numRuns: options.trickledHeaders ?? 8, seed: options.seed })
  const slowAnswers = await Promise.all(
    slow.map((request) => trickleHeaders(base, request, options.trickleGapMs ?? 100)),
  )
  slow.forEach((request, i) => {
    const answer = slowAnswers[i]!
    // A request line Node's parser refuses (an unknown method, a byte not allowed in a URL) gets its
    // 400 as soon as it is in; any other is cut off by the headers timeout.
    const cutOff = answer.status === 408 || (answer.status === 400 && refusedLine(request))
    expect(request, answer, cutOff, 'trickled headers cut off with 408')
  })

  // The server still serves, and counted no hang-up as a server error.
  const after = await sendRaw(base, plain('GET', '/ru/sco.rss'))
  report.requests++
  if (after.status !== 200) report.violations.push(`after the campaign a feed answers ${after.status}`)
  const metrics = await sendRaw(base, plain('GET', '/metrics'))
  report.requests++
  const serverErrors = metrics.body
    .split('\n')
    .filter((l) => /^silkfeed_http_requests_total\{.*status="5(?!03)/.test(l))
  if (serverErrors.length > 0)
    report.violations.push(`/metrics counts server errors: ${serverErrors.join('; ')}`)
  return report
}
