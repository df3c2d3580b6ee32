// `npm run dev`: the Worker under `wrangler dev` (workerd) against the same embedded, seeded store as
// `npm start`. With S3_ENDPOINT set, wrangler gets that store instead and nothing embedded starts.
// package.json runs it with `exec node --import tsx`, not the tsx CLI: npm's signal then reaches this
// process, and the CLI's relay, which SIGKILLs a script that does not acknowledge a signal within a
// few milliseconds, cannot kill it on a busy machine before it has stopped wrangler.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { constants as osConstants } from 'node:os'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { startSeededEmbeddedStore } from '../src/platform/embedded-store.ts'
import { loadOrCreateSecret } from '../src/platform/local-secret.ts'
import { spawnProcessGroup } from '../src/platform/process-group.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const port = process.env.PORT ?? '8787'
const bucket = process.env.S3_BUCKET ?? 'silkfeed'

const passThrough = [
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_BUCKET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
  'PUBLIC_BASE_URL',
  'FEED_ID_AUTHORITY',
  'LOG_LEVEL',
]
let vars: Record<string, string> = Object.fromEntries(
  passThrough.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
)
let stopEmbedded = async (_graceMs: number) => {}
if (!process.env.S3_ENDPOINT) {
  const { embedded, seeded, env } = await startSeededEmbeddedStore(root, bucket)
  stopEmbedded = (graceMs: number) => embedded.stop(graceMs)
  vars = { ...vars, ...env }
  console.log(
    `embedded S3 store at ${embedded.endpoint} (data in .data/s3${seeded ? ', samples seeded' : ''})`,
  )
}
if (!process.env.WEBHOOK_SECRETS) {
  const path = join(root, '.data', 'webhook-secret')
  vars.WEBHOOK_SECRETS = loadOrCreateSecret(path).secret
  console.log(`webhook secret in ${path} (set WEBHOOK_SECRETS to choose your own)`)
} else vars.WEBHOOK_SECRETS = process.env.WEBHOOK_SECRETS
if (!process.env.ADMIN_SECRETS) {
  // As `npm start`: the partner CLI (`npm run partner`) reads it from here too.
  const path = join(root, '.data', 'admin-secret')
  vars.ADMIN_SECRETS = loadOrCreateSecret(path).secret
  console.log(`admin secret in ${path} (set ADMIN_SECRETS to choose your own)`)
} else vars.ADMIN_SECRETS = process.env.ADMIN_SECRETS
if (!('PUBLIC_BASE_URL' in vars)) vars.PUBLIC_BASE_URL = `http://127.0.0.1:${port}`

// The variables reach wrangler in a file only this user may read, not on its command line, where
// every user of the machine sees them (`ps`): the secrets among them included.
const envFile = join(root, '.data', 'dev.env')
/** A value as dotenv reads it back unchanged: in the first quote it does not contain (no escapes). */
function quoted(name: string, value: string): string {
  const quote = ["'", '"', '`'].find((q) => !value.includes(q))
  if (quote === undefined || value.includes('\n'))
    throw new Error(`${name} cannot be passed to wrangler dev: it holds ', " and \` at once, or a line break`)
  return `${quote}${value}${quote}`
}
mkdirSync(join(root, '.data'), { recursive: true })
writeFileSync(
  envFile,
  Object.entries(vars)
    .map(([k, v]) => `${k}=${quoted(k, v)}\n`)
    .join(''),
  { mode: 0o600 },
)
chmodSync(envFile, 0o600) // also when an earlier run left it readable

// wrangler runs in its own process group so that stopping it also stops the workerd processes it
// starts; it gets no stdin because a background group that touches the terminal is stopped by it
// (so no interactive hotkeys: Ctrl-C here stops everything).
const args = [
  'dev',
  '--ip',
  '127.0.0.1',
  '--port',
  port,
  '--show-interactive-dev-session=false',
  '--env-file',
  envFile,
]
const wrangler = spawnProcessGroup(
  process.execPath,
  [join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), ...args],
  {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  },
)

// Everything stops within STOP_GRACE_MS plus a little: both are asked at once, then killed.
const STOP_GRACE_MS = 3000
let stopping: Promise<never> | undefined
function stopAll(exitCode: number): Promise<never> {
  return (stopping ??= Promise.allSettled([wrangler.stop(STOP_GRACE_MS), stopEmbedded(STOP_GRACE_MS)]).then(
    () => process.exit(exitCode),
  ))
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void stopAll(128 + osConstants.signals[signal]))
}
wrangler.child.once('exit', (code) => void stopAll(code ?? 1))
