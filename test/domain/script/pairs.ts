import { readFileSync } from 'node:fs'

/** Reads a two-column TSV beside the tests in this folder; `#` lines and the header row are skipped. */
export function readPairs(name: string): Array<[string, string]> {
  return readFileSync(new URL(name, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .slice(1)
    .map((line) => {
      const [from, to] = line.split('\t')
      return [from!, to!]
    })
}
