import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestProject } from 'vitest/node'
import { EMBEDDED_CREDENTIALS, startEmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { ROOT } from '../support/samples.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string
    s3Bucket: string
    /** An empty bucket of its own for the Cron Trigger test, whose clock runs weeks ahead. */
    s3CronBucket: string
    /** A fake WebSub hub (Node side): POST records a publish ping, GET lists the feed URLs pinged. */
    hubUrl: string
  }
}

const BUCKET = 'silkfeed-workerd'
const CRON_BUCKET = 'silkfeed-workerd-cron'

/** Starts s3rver (Node side) with the samples seeded, for the Worker under test to reach over HTTP. */
export default async function setup(project: TestProject) {
  const directory = mkdtempSync(join(tmpdir(), 'silkfeed-workerd-'))
  const s3 = await startEmbeddedS3({ directory, buckets: [BUCKET, CRON_BUCKET] })
  // Seeded from a child process: this process's fetch is bound to miniflare's own undici.
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], {
    cwd: ROOT,
    stdio: 'pipe',
    env: {
      ...process.env,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: BUCKET,
      S3_ACCESS_KEY_ID: EMBEDDED_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: EMBEDDED_CREDENTIALS.secretAccessKey,
    },
  })
  project.provide('s3Endpoint', s3.endpoint)
  project.provide('s3Bucket', BUCKET)
  project.provide('s3CronBucket', CRON_BUCKET)
  const hub = await startFakeHub()
  project.provide('hubUrl', hub.url)
  return async () => {
    await hub.stop()
    await s3.stop()
    rmSync(directory, { recursive: true, force: true })
  }
}

/** A WebSub hub that remembers the `hub.url` of every publish ping and tells them on GET. */
async function startFakeHub(): Promise<{ url: string; stop: () => Promise<void> }> {
  const pinged: string[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pinged))
        return
      }
      const url = new URLSearchParams(body).get('hub.url')
      if (url) pinged.push(url)
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  return { url, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
