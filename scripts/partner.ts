// `npm run partner -- add NAME [--feeds a,b] [--locales x,y] [--full-text] [--embargoed] [--quota N]`,
// `list`, `show ID`, `rotate ID`, `revoke ID [--key-id KEY_ID]`, each with `--url URL`: the signed
// /admin/partners API from the shell. Signs with ADMIN_SECRETS (first entry) or .data/admin-secret.
// `add` and `rotate` print the key: it is shown this once and stored only as a hash.
import { parseArgs } from 'node:util'
import { adminSignedBytes } from '../src/http/signature.ts'
import { baseUrl, fail, localSecret, sendAndPrint, signNow } from './signed-request.ts'

const usage = `usage: npm run partner -- <command> [--url http://127.0.0.1:8787]
  add NAME [--feeds a,b] [--locales x,y] [--full-text] [--embargoed] [--quota N]
  list | show ID | rotate ID | revoke ID [--key-id KEY_ID]`

let parsed: ReturnType<typeof parse>
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      feeds: { type: 'string' },
      locales: { type: 'string' },
      'full-text': { type: 'boolean' },
      embargoed: { type: 'boolean' },
      quota: { type: 'string' },
      'key-id': { type: 'string' },
      help: { type: 'boolean' },
    },
  })
}
try {
  parsed = parse()
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`, 2)
}
const { values, positionals } = parsed
if (values.help) fail(usage, 0)
const [command, arg, ...extra] = positionals
const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)

let method: 'GET' | 'POST' = 'POST'
let path: string
let payload: unknown
if (command === 'add' && arg && extra.length === 0) {
  path = '/admin/partners'
  // The server validates (unknown feeds and locales, a quota below 1) and says what to fix.
  payload = {
    name: arg,
    feeds: list(values.feeds),
    locales: list(values.locales),
    fullText: values['full-text'] ?? false,
    embargoed: values.embargoed ?? false,
    quota: values.quota === undefined ? undefined : Number(values.quota),
  }
} else if (command === 'list' && !arg) {
  method = 'GET'
  path = '/admin/partners'
} else if (command === 'show' && arg && extra.length === 0) {
  method = 'GET'
  path = `/admin/partners/${encodeURIComponent(arg)}`
} else if (command === 'rotate' && arg && extra.length === 0) {
  path = `/admin/partners/${encodeURIComponent(arg)}/rotate`
} else if (command === 'revoke' && arg && extra.length === 0) {
  path = `/admin/partners/${encodeURIComponent(arg)}/revoke`
  payload = values['key-id'] === undefined ? {} : { keyId: values['key-id'] }
} else {
  fail(usage, 2)
}

const body = new TextEncoder().encode(payload === undefined ? '' : JSON.stringify(payload))
const signature = await signNow(
  adminSignedBytes(method, path, body),
  localSecret('ADMIN_SECRETS', 'admin-secret'),
)
await sendAndPrint(baseUrl(values.url) + path, {
  method,
  headers: { 'content-type': 'application/json', 'silkfeed-signature': signature },
  body: method === 'GET' ? undefined : body,
})
