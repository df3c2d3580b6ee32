// Runs s3rver in its own Node process, started with --openssl-legacy-provider: s3rver's list
// continuation tokens use single DES, which OpenSSL 3 refuses otherwise (500 on a second page).
// Its file store is replaced by a crash-safe one (see s3rver-atomic-store.mjs), which first
// finishes or sets aside whatever a crash interrupted. Prints one JSON line {"port": N} once
// listening; stops on SIGTERM or when stdin closes. Repairs are logged as JSON lines on stderr.
import S3rver from 's3rver'
import { AtomicFilesystemStore } from './s3rver-atomic-store.mjs'

const [directory, portArg, ...buckets] = process.argv.slice(2)
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(portArg ?? 0),
  directory,
  silent: true,
  configureBuckets: buckets.map((name) => ({ name })),
})
const store = new AtomicFilesystemStore(directory, {
  // `.data/s3` sets aside into `.data/s3-quarantine`.
  quarantine: `${directory.replace(/[\\/]+$/, '')}-quarantine`,
  log: (level, msg, fields) =>
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`),
})
await store.recover()
server.store = server.context.store = store
const { port } = await server.run()
process.stdout.write(`${JSON.stringify({ port })}\n`)

let closing = false
async function stop() {
  if (closing) return
  closing = true
  await server.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.stdin.on('end', stop)
process.stdin.resume()
