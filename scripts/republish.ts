// `npm run republish -- FILE.json [--url URL] [--idempotency-key KEY]`: signs a webhook payload with the
// configured secret (WEBHOOK_SECRETS, first entry, or the local .data/webhook-secret), sends it,
// prints the report, and exits non-zero on failure (1: refused or unreachable, 2: usage).
import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { baseUrl, fail, localSecret, sendAndPrint, signNow } from './signed-request.ts'

const usage = 'usage: npm run republish -- FILE.json|- [--url http://127.0.0.1:8787] [--idempotency-key KEY]'

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
const secret = localSecret('WEBHOOK_SECRETS', 'webhook-secret')
const base = baseUrl(values.url)
const url = base.endsWith('/webhooks/republish') ? base : `${base}/webhooks/republish`

const headers: Record<string, string> = {
  'content-type': 'application/json',
  'silkfeed-signature': await signNow(new Uint8Array(body), secret),
}
if (values['idempotency-key']) headers['idempotency-key'] = values['idempotency-key']

await sendAndPrint(url, { method: 'POST', headers, body: new Uint8Array(body) })
