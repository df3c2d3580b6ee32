// What `npm run republish` and `npm run partner` share: the secret (an environment variable's first
// entry, else the one `npm start` wrote under .data/), the base URL, signing, and how a response is shown.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { signBody } from '../src/http/signature.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Prints the message and exits with the code (1: refused or unreachable, 2: usage). */
export function fail(message: string, code: number): never {
  console.error(message)
  process.exit(code)
}

/** The first secret of `variable`, else the file `npm start` created under .data/. */
export function localSecret(variable: 'WEBHOOK_SECRETS' | 'ADMIN_SECRETS', file: string): string {
  const path = join(root, '.data', file)
  return (
    process.env[variable]?.split(',')[0]?.trim() ||
    (existsSync(path) ? readFileSync(path, 'utf8').trim() : '') ||
    fail(`no secret: set ${variable}, or run \`npm start\` once to create .data/${file}`, 2)
  )
}

/** The server's base URL: `--url`, else the local one. */
export function baseUrl(url: string | undefined): string {
  return (url ?? `http://127.0.0.1:${process.env.PORT ?? '8787'}`).replace(/\/+$/, '')
}

/** The Silkfeed-Signature of `bytes`, signed now. */
export function signNow(bytes: Uint8Array, secret: string): Promise<string> {
  return signBody(bytes, secret, Date.now() / 1000)
}

/** Sends a request; prints the body (pretty JSON when it is JSON) and exits 1 when refused. */
export async function sendAndPrint(url: string, init: RequestInit): Promise<void> {
  let res: Response
  try {
    res = await fetch(url, init)
  } catch (error) {
    fail(`could not reach ${url}: ${(error as Error).message}`, 1)
  }
  const text = await res.text()
  let shown = text
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    // not JSON: print as it came
  }
  if (res.ok) {
    console.log(shown)
  } else {
    const retry = res.headers.get('retry-after')
    fail(`${res.status} ${res.statusText}${retry ? ` (retry after ${retry} s)` : ''}\n${shown}`, 1)
  }
}
