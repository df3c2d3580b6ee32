import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Reads every `*.json` file in a directory (absolute, or relative to `root`) as
 * `{ "<dir>/<name>.json": parsed }` (Node only).
 */
export function readJsonDirectory(root: string, directory: string): Record<string, unknown> {
  const files: Record<string, unknown> = {}
  for (const name of readdirSync(resolve(root, directory))
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const path = `${directory}/${name}`
    try {
      files[path] = JSON.parse(readFileSync(resolve(root, directory, name), 'utf8'))
    } catch (error) {
      throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error })
    }
  }
  return files
}

/** The project root (holding feeds/ and package.json), found upward from a module: works from src/ and dist/. */
export function findRoot(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl))
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'feeds'))) return dir
    const parent = dirname(dir)
    if (parent === dir)
      throw new Error('cannot find the Silkfeed root (a folder with package.json and feeds/)')
    dir = parent
  }
}
