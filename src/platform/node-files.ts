import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** Reads every `*.json` file in a directory as `{ "<dir>/<name>.json": parsed }` (Node only). */
export function readJsonDirectory(root: string, directory: string): Record<string, unknown> {
  const files: Record<string, unknown> = {}
  for (const name of readdirSync(join(root, directory))
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const path = `${directory}/${name}`
    try {
      files[path] = JSON.parse(readFileSync(join(root, path), 'utf8'))
    } catch (error) {
      throw new Error(`${path} is not valid JSON: ${(error as Error).message}`)
    }
  }
  return files
}
