// `npm run dev`: the Worker under `wrangler dev` (workerd) against the same embedded, seeded store as
// `npm start`. With S3_ENDPOINT set, wrangler gets that store instead and nothing embedded starts.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { startSeededEmbeddedStore } from '../src/platform/embedded-store.ts'
import { loadOrCreateSecret } from '../src/platform/local-secret.ts'

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
  passThrough.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
)
let stopEmbedded = async () => {}
if (!process.env.S3_ENDPOINT) {
  const { embedded, seeded, env } = await startSeededEmbeddedStore(root, bucket)
  stopEmbedded = embedded.stop
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
vars.PUBLIC_BASE_URL ??= `http://127.0.0.1:${port}`

const args = [
  'wrangler',
  'dev',
  '--ip',
  '127.0.0.1',
  '--port',
  port,
  ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
]
const wrangler = spawn('npx', args, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
})
const stop = () => wrangler.kill('SIGINT')
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
wrangler.once('exit', (code) => void stopEmbedded().then(() => process.exit(code ?? 0)))
