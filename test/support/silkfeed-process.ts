import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { build } from 'esbuild'
import type { Article } from '../../src/domain/article.ts'
import { signBody } from '../../src/http/signature.ts'
import { loadSamples, ROOT } from './samples.ts'

/**
 * The production entry (src/platform/serve.ts) bundled once to a file under dist/, as `npm run build`
 * does, so that each start of a child costs a plain `node` start rather than a TypeScript loader's.
 * Returns its path and a function that removes it.
 */
export async function buildServeEntry(): Promise<{ entry: string; remove: () => void }> {
  const dir = join(ROOT, 'dist', `chaos-${process.pid}-${Date.now().toString(36)}`)
  mkdirSync(dir, { recursive: true })
  const entry = join(dir, 'serve.mjs')
  await build({
    // The entry and the storage thread it starts from beside it.
    entryPoints: [join(ROOT, 'src/platform/serve.ts'), join(ROOT, 'src/platform/storage-thread.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  })
  return { entry, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface SilkfeedProcess {
  base: string
  child: ChildProcess
  /** Resident memory of the process in bytes (Linux /proc), or 0 when it cannot be read. */
  rss(): Promise<number>
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>
  /** SIGTERM (graceful), then SIGKILL after 5 s. */
  stop(): Promise<void>
}

/**
 * The environment of a Silkfeed process under test or bench: loopback, the test base URL, an
 * s3rver-style store (its fixed credentials) and the webhook secret; `extra` adds or overrides.
 */
export function silkfeedEnv(options: {
  port: number
  s3Endpoint: string
  bucket: string
  secret: string
  extra?: Record<string, string | undefined>
}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    PORT: String(options.port),
    PUBLIC_BASE_URL: 'https://feeds.silkfeed.test',
    S3_ENDPOINT: options.s3Endpoint,
    S3_BUCKET: options.bucket,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    WEBHOOK_SECRETS: options.secret,
    ...options.extra,
  }
}

/** Starts the bundled production entry on a free port against the given store; resolves once it answers. */
export async function startSilkfeed(options: {
  entry: string
  s3Endpoint: string
  bucket: string
  secret: string
  env?: Record<string, string>
}): Promise<SilkfeedProcess> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, [options.entry], {
    cwd: ROOT,
    env: silkfeedEnv({ port, ...options, extra: { LOG_LEVEL: 'info', ...options.env } }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  // A start that fails ends the process and is reported at once; one that is merely slow (a machine
  // busy with other processes) is given two minutes.
  for (const until = Date.now() + 120_000; ;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`silkfeed exited (${child.exitCode ?? child.signalCode}) before listening:\n${output}`)
    if (Date.now() > until) throw new Error(`silkfeed did not answer within 120 s:\n${output}`)
    const up = await fetch(`${base}/healthz`).then(
      (res) => res.ok,
      () => false,
    )
    if (up) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const gone = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  return {
    base,
    child,
    rss: () => residentBytes(child.pid),
    kill: async () => {
      child.kill('SIGKILL')
      await gone
    },
    stop: async () => {
      const force = setTimeout(() => child.kill('SIGKILL'), 5000)
      child.kill('SIGTERM')
      await gone
      clearTimeout(force)
    },
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

async function residentBytes(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0
  const { readFile } = await import('node:fs/promises')
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
  return kb ? Number(kb) * 1024 : 0
}

export interface WebhookAnswer {
  status: number
  retryAfter: string | null
  contentType: string | null
  text: string
}

/** POSTs a payload to the webhook of a running server, signed now with `secret`. Network errors are status 0. */
export async function postSigned(base: string, payload: unknown, secret: string): Promise<WebhookAnswer> {
  const body = JSON.stringify(payload)
  const signature = await signBody(new TextEncoder().encode(body), secret, Date.now() / 1000)
  try {
    const res = await fetch(`${base}/webhooks/republish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'silkfeed-signature': signature },
      body,
    })
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      contentType: res.headers.get('content-type'),
      text: await res.text(),
    }
  } catch {
    return { status: 0, retryAfter: null, contentType: null, text: '' }
  }
}

/**
 * Story `n` of a storm, in Russian and Kazakh (Kazakh derives kk-latn), in the sco section, version
 * `version` (a later version has a later `updatedAt` and another title).
 */
export function stormStory(n: number, version = 1): Article[] {
  const samples = loadSamples()
  const published = new Date(Date.parse('2026-11-01T00:00:00Z') + n * 60_000).toISOString()
  const updated = new Date(Date.parse('2026-11-20T00:00:00Z') + n * 60_000 + version * 1000).toISOString()
  return (['ru', 'kk'] as const).map((locale) => {
    const sample = samples.find((a) => a.locale === locale && a.sections.includes('sco'))!
    return {
      ...sample,
      id: `storm-${n}`,
      title: `${sample.title} · ${n}.${version}`,
      url: `${sample.url}-storm-${n}`,
      publishedAt: published,
      updatedAt: updated,
    }
  })
}

/** The feeds a storm touches, as JSON Feed paths (each locale the stories reach, both feeds). */
export const STORM_FEEDS = ['ru', 'kk', 'kk-latn'].flatMap((locale) =>
  ['latest', 'sco'].map((feed) => `/${locale}/${feed}.json`),
)

/** A feed's items as a reader compares them: id, title and dates, in order. */
export function itemsOf(jsonFeed: string): string[] {
  const feed = JSON.parse(jsonFeed) as {
    items: { id: string; title?: string; date_published?: string; date_modified?: string }[]
  }
  return feed.items.map(
    (i) => `${i.id} | ${i.title ?? ''} | ${i.date_published ?? ''} | ${i.date_modified ?? ''}`,
  )
}
