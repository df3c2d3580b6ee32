import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { findRoot } from './node-files.ts'

// From the project root, so that a built entry (dist/) finds it as well as the sources do.
const CHILD = join(findRoot(import.meta.url), 'scripts', 's3rver-child.mjs')

/** s3rver's fixed credentials: it checks the access key id only. */
export const EMBEDDED_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const

export interface EmbeddedS3 {
  endpoint: string
  port: number
  /** The s3rver process, e.g. for a test that stops storage to see what the service does. */
  process: ChildProcess
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs` (default 3 s). */
  stop(graceMs?: number): Promise<void>
}

/** Why a second store cannot start on a directory another process's store holds. */
function inUse(directory: string, { lockedBy, lock }: { lockedBy: number; lock: string }): string {
  return (
    `the embedded store's data in ${directory} is in use by process ${lockedBy} (another npm start?): ` +
    `stop that one first, or set S3_ENDPOINT to use another store (the lock is ${lock}; it is taken ` +
    'over once its process is gone)'
  )
}

/**
 * Starts the embedded S3-protocol server (s3rver) on 127.0.0.1 in a child process (Node only), after
 * it has finished or set aside whatever a crash interrupted (see scripts/s3rver-atomic-store.mjs).
 * One store per directory: while one runs, another start on its directory fails, naming its pid.
 */
export async function startEmbeddedS3(options: {
  directory: string
  port?: number
  buckets: string[]
  /** Receives the store's stderr lines (its repair log, JSON lines); inherited when not given. */
  onStderrLine?: (line: string) => void
}): Promise<EmbeddedS3> {
  mkdirSync(options.directory, { recursive: true })
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', CHILD, options.directory, String(options.port ?? 0), ...options.buckets],
    { stdio: ['pipe', 'pipe', options.onStderrLine ? 'pipe' : 'inherit'] },
  )
  if (options.onStderrLine) createInterface({ input: child.stderr! }).on('line', options.onStderrLine)
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', (line) => {
      try {
        const said = JSON.parse(line) as { port: number } | { lockedBy: number; lock: string }
        if ('lockedBy' in said) reject(new Error(inUse(options.directory, said)))
        else resolve(said.port)
      } catch (error) {
        reject(new Error(`embedded S3 said something unexpected: ${line}`, { cause: error }))
      }
    })
    child.once('exit', (code) => reject(new Error(`embedded S3 exited with code ${code} before listening`)))
  })
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    process: child,
    stop: (graceMs = 3000) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve()
          return
        }
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs)
        child.once('exit', () => {
          clearTimeout(kill)
          resolve()
        })
        child.kill('SIGTERM')
      }),
  }
}
