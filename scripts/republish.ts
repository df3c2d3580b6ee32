// `npm run republish -- FILE.json [--url URL] [--idempotency-key KEY]`: signs a webhook payload with the
// configured secret (WEBHOOK_SECRETS, first entry, or the local .data/webhook-secret), sends it,
// prints the report, and exits non-zero on failure (1: refused or unreachable, 2: usage).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { signBody } from '../src/http/signature.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const usage = 'usage: npm run republish -- FILE.json|- [--url http://127.0.0.1:8787] [--idempotency-key KEY]'

function fail(message: string, code: number): never {
  console.error(message)
  process.exit(code)
}

let parsed: ReturnType<typeof parse>
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: { url: { type: 'string' }, 'idempotency-key': { type: 'string' }, help: { type: 'boolean' } },
  })
}
try {
  parsed = parse()
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`, 2)
}
const { values, positionals } = parsed
if (values.help) fail(usage, 0)
if (positionals.length !== 1) fail(usage, 2)

const file = positionals[0]!
const body =
  file === '-' ? readFileSync(0) : existsSync(file) ? readFileSync(file) : fail(`no such file: ${file}`, 2)
const secretFile = join(root, '.data', 'webhook-secret')
const secret =
  process.env.WEBHOOK_SECRETS?.split(',')[0]?.trim() ||
  (existsSync(secretFile) ? readFileSync(secretFile, 'utf8').trim() : '') ||
  fail('no secret: set WEBHOOK_SECRETS, or run `npm start` once to create .data/webhook-secret', 2)
const base = (values.url ?? `http://127.0.0.1:${process.env.PORT ?? '8787'}`).replace(/\/+$/, '')
const url = base.endsWith('/webhooks/republish') ? base : `${base}/webhooks/republish`

const headers: Record<string, string> = {
  'content-type': 'application/json',
  'silkfeed-signature': await signBody(new Uint8Array(body), secret, Date.now() / 1000),
}
if (values['idempotency-key']) headers['idempotency-key'] = values['idempotency-key']

let res: Response
try {
  res = await fetch(url, { method: 'POST', headers, body: new Uint8Array(body) })
} catch (error) {
  fail(`could not reach ${url}: ${(error as Error).message}`, 1)
}
const text = await res.text()
let shown = text
try {
  shown = JSON.stringify(JSON.parse(text), null, 2)
} catch {
  // not JSON: print as it came
}
if (res.ok) {
  console.log(shown)
} else {
  const retry = res.headers.get('retry-after')
  fail(`${res.status} ${res.statusText}${retry ? ` (retry after ${retry} s)` : ''}\n${shown}`, 1)
}
