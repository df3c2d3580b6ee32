import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SCHEMAS_DIR } from '../conformance/tools.ts'
import { ROOT } from '../support/samples.ts'

// A clone alone in an empty folder must pass `npm ci && npm test` and `.ci/run`: nothing the tests,
// scripts, benchmarks or CI run may reach for a folder beside the checkout (the sibling shared folder included).

const SCANNED = [
  'test',
  'scripts',
  'bench',
  'src',
  '.ci',
  'vitest.config.mts',
  'package.json',
  'wrangler.toml',
]
// Vendored schemas, golden outputs, and what .ci/run downloads or writes (ignored by git).
const SKIPPED = new Set([
  join('test', 'conformance', 'schemas'),
  join('test', 'golden'),
  join('.ci', 'node24'),
  join('.ci', 'logs'),
])
const THIS_FILE = join('test', 'scripts', 'self-contained.test.ts')

/** Paths that leave the repository: the sibling shared/ folder, the machine's /work, a step above ROOT. */
const OUTSIDE = [
  /\.\.\/shared\b/,
  /\bshared\/schemas\b/,
  /(["'`])\/work\//,
  /(resolve|join)\(\s*ROOT\s*,\s*["'`]\.\./,
  /new URL\(\s*["'`](\.\.\/){3,}/,
]

function filesUnder(path: string): string[] {
  const rel = relative(ROOT, path)
  if (SKIPPED.has(rel) || rel === THIS_FILE) return []
  if (!statSync(path).isDirectory()) return [rel]
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)))
}

describe('the repository stands alone', () => {
  it('keeps the schemas the conformance tests use inside it', () => {
    expect(relative(ROOT, SCHEMAS_DIR).split(sep)[0]).toBe('test')
    for (const file of [
      'atom.rng',
      'atom-rules.sch',
      'jsonfeed/feed.draft7.json',
      'jsonfeed/feed-1.draft7.json',
    ]) {
      expect(existsSync(join(SCHEMAS_DIR, file)), file).toBe(true)
    }
  })

  it('has no test, script, benchmark or CI step that reads a path outside the repository', () => {
    const offending = SCANNED.filter((entry) => existsSync(join(ROOT, entry)))
      .flatMap((entry) => filesUnder(join(ROOT, entry)))
      .flatMap((file) =>
        readFileSync(join(ROOT, file), 'utf8')
          .split('\n')
          .flatMap((line, i) =>
            OUTSIDE.some((re) => re.test(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : [],
          ),
      )
    expect(offending).toEqual([])
  })
})
