import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { XMLParser } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMBEDDED_CREDENTIALS, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { ROOT } from '../support/samples.ts'
import { startSeededS3 } from '../support/s3.ts'

// The Worker as `npm run dev` runs it: wrangler dev, workerd behind real HTTP. The vitest pool for
// Workers calls the handler in-process, so it cannot see what workerd does to a response on the
// wire (such as compressing an already compressed body a second time); this test can.

const BUCKET = 'silkfeed-wrangler'
let s3: EmbeddedS3
let wrangler: ChildProcess
let base: string
let directory: string
let output = ''

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** A GET with exactly the headers given (fetch would add Accept-Encoding and decode the body itself). */
function rawGet(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

async function waitUntilServing(deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`)
    const ok = await rawGet('/healthz', {}).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`wrangler dev did not answer in time:\n${output}`)
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'silkfeed-wrangler-'))
  ;({ embedded: s3 } = await startSeededS3(directory, BUCKET))
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  const vars = {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: BUCKET,
    S3_ACCESS_KEY_ID: EMBEDDED_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: EMBEDDED_CREDENTIALS.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    PUBLIC_BASE_URL: base,
    LOG_LEVEL: 'warn',
  }
  wrangler = spawn(
    join(ROOT, 'node_modules', '.bin', 'wrangler'),
    [
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(await freePort()),
      '--persist-to',
      join(directory, 'wrangler-state'),
      '--show-interactive-dev-session=false',
      ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  wrangler.stdout!.on('data', (d: Buffer) => (output += d.toString()))
  wrangler.stderr!.on('data', (d: Buffer) => (output += d.toString()))
  await waitUntilServing(Date.now() + 90_000)
}, 120_000)

afterAll(async () => {
  if (wrangler.exitCode === null) {
    const exited = new Promise((resolve) => wrangler.once('exit', resolve))
    wrangler.kill('SIGTERM')
    await exited
  }
  await s3.stop()
  rmSync(directory, { recursive: true, force: true })
})

const parseXml = (bytes: Buffer) =>
  new XMLParser({ ignoreAttributes: false }).parse(bytes.toString('utf8')) as Record<string, unknown>

describe('the Worker under wrangler dev, over real HTTP', () => {
  it.each([
    ['gzip', gunzipSync],
    ['br', brotliDecompressSync],
  ] as const)('sends a %s body that decodes once into the feed', async (coding, decode) => {
    const res = await rawGet('/kk/sco.atom', { 'accept-encoding': coding })
    expect(res.status).toBe(200)
    expect(res.headers['content-encoding']).toBe(coding)
    const feed = parseXml(decode(res.body)).feed as Record<string, unknown>
    expect(feed['@_xml:lang']).toBe('kk')
  })

  it('sends the feed uncompressed to a client that sends no Accept-Encoding', async () => {
    const res = await rawGet('/uz/sco.rss', {})
    expect(res.headers['content-encoding']).toBeUndefined()
    expect((parseXml(res.body).rss as { channel: { language: string } }).channel.language).toBe('uz-Latn')
  })

  it('sends the feed as it is when only identity is acceptable, and 304 on revalidation', async () => {
    const res = await rawGet('/ru/latest.rss', { 'accept-encoding': 'identity' })
    expect(res.status).toBe(200)
    expect(res.headers['content-encoding']).toBeUndefined()
    expect((parseXml(res.body).rss as { channel: { language: string } }).channel.language).toBe('ru')
    const again = await rawGet('/ru/latest.rss', {
      'accept-encoding': 'identity',
      'if-none-match': `W/${res.headers.etag as string}`,
    })
    expect(again.status).toBe(304)
    expect(again.headers.etag).toBe(res.headers.etag)
    expect(again.body.byteLength).toBe(0)
  })
})
