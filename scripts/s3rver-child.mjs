// Runs s3rver in its own Node process, started with --openssl-legacy-provider: s3rver's list
// continuation tokens use single DES, which OpenSSL 3 refuses otherwise (500 on a second page).
// Its file store is replaced by a crash-safe one (see s3rver-atomic-store.mjs), which first
// finishes or sets aside whatever a crash interrupted. Prints one JSON line {"port": N} once
// listening; stops on SIGTERM or when stdin closes. Repairs are logged as JSON lines on stderr.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import S3rver from 's3rver'
import { AtomicFilesystemStore } from './s3rver-atomic-store.mjs'

const [directory, portArg, ...buckets] = process.argv.slice(2)

// One store per directory: a second one would take the first one's writes in flight for a crash's
// and finish or set them aside under it. `<directory>.lock` holds the pid of the process that owns
// the directory; a lock whose process is gone (a crash, a SIGKILL) is taken over.
const lockPath = `${directory.replace(/[\\/]+$/, '')}.lock`
const alive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}
/** Takes the lock; returns the pid of the live process that holds it instead, if one does. */
function takeLock() {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' })
      return undefined
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
    }
    let holder
    try {
      holder = Number(readFileSync(lockPath, 'utf8'))
    } catch {
      continue // released meanwhile
    }
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) return holder
    rmSync(lockPath, { force: true })
  }
  throw new Error(`cannot take ${lockPath}`)
}
const holder = takeLock()
if (holder !== undefined) {
  process.stdout.write(`${JSON.stringify({ lockedBy: holder, lock: lockPath })}\n`)
  process.exit(75)
}
const releaseLock = () => {
  try {
    if (readFileSync(lockPath, 'utf8') === String(process.pid)) rmSync(lockPath, { force: true })
  } catch {
    // already gone
  }
}
process.on('exit', releaseLock)
/** How long the store keeps an idle connection open (see below). */
const KEEP_ALIVE_MS = 60_000
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
// s3rver lists a prefix by walking it synchronously (readdirSync and statSync per object): with tens
// of thousands of objects one listing holds its event loop for seconds. With Node's default
// keep-alive timeout (5 s) it then closes, as soon as the walk ends, idle connections on which a
// client has meanwhile sent its next request: ECONNRESET ("socket hang up") for that request, and
// the SDK's one retry meets the next such connection (seen in `npm run bench:republish`, 20,000
// stories; a probe with a server busy for 6 s: every request sent meanwhile reset). Idle connections
// are kept a minute instead, longer than a walk holds the store: a request sent during one is read
// when it ends (the same probe: none reset).
server.httpServer.keepAliveTimeout = KEEP_ALIVE_MS

let closing = false
async function stop() {
  if (closing) return
  closing = true
  await server.close()
  process.exit(0)
}
// Before the port is announced: a parent may send SIGTERM as soon as it reads it, and a signal that
// comes before its handler kills the process outright (its lock left behind, its writes cut).
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.stdin.on('end', stop)
process.stdin.resume()
process.stdout.write(`${JSON.stringify({ port })}\n`)
