import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * The webhook secret of a local install (Node only): read from `path`, or created there at random on
 * first use (mode 0600). Never a fixed default.
 */
export function loadOrCreateSecret(path: string): { secret: string; created: boolean } {
  if (existsSync(path)) return { secret: readFileSync(path, 'utf8').trim(), created: false }
  mkdirSync(dirname(path), { recursive: true })
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  const secret = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
  writeFileSync(path, `${secret}\n`, { mode: 0o600 })
  return { secret, created: true }
}
