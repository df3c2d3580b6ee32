import { execFile, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { ROOT } from '../support/samples.ts'

/**
 * The published schemas the conformance tests validate against, kept in the repository (sources and
 * licences in its README) so that a clone with nothing beside it can run every test.
 */
export const SCHEMAS_DIR = resolve(ROOT, 'test/conformance/schemas')

/** The schema file at `path` under SCHEMAS_DIR; throws a clear error naming the missing file. */
export function schemaPath(path: string): string {
  const full = resolve(SCHEMAS_DIR, path)
  if (!existsSync(full)) {
    throw new Error(
      `Schema ${full} not found: see test/conformance/schemas/README.md for where it comes from.`,
    )
  }
  return full
}

/** Fails (never skips) with the Debian package to install when a command-line tool is missing. */
export function requireTool(command: string, debianPackage: string, probe: string[] = ['--version']): void {
  const result = spawnSync(command, probe, { stdio: 'ignore' })
  if (result.error) {
    throw new Error(
      `"${command}" is not on PATH; the conformance tests need it. Install it: apt-get install -y ${debianPackage}`,
    )
  }
}

let python: string | undefined

/**
 * A Python 3 that can import feedparser. `python3` on PATH may be a pyenv or venv interpreter without
 * Debian's dist-packages, so the system interpreter is tried too.
 */
export function requirePythonWithFeedparser(): string {
  if (python) return python
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const result = spawnSync(candidate, ['-c', 'import feedparser, sqlite3'], { stdio: 'ignore' })
    if (!result.error && result.status === 0) return (python = candidate)
  }
  throw new Error(
    'No python3 that can import feedparser (tried python3 on PATH and /usr/bin/python3). ' +
      'Install it: apt-get install -y python3-feedparser',
  )
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs a command to completion (no shell), resolving with its exit code and output. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      [...args],
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          // The command did not run (not found, timed out): a failure, not an exit code.
          const failure: Error = error
          reject(failure)
          return
        }
        resolvePromise({ code: error ? Number(error.code) : 0, stdout, stderr })
      },
    )
  })
}

/** jing prints warnings about optional jars it cannot find; they are not validation errors. */
export function withoutJingNoise(output: string): string {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('[warning] /usr/bin/jing'))
    .join('\n')
}

/** xmllint on XML files, then jing (RFC 4287 RELAX NG and Schematron) on the Atom ones: every complaint, '' when none. */
export async function xmlAndAtomComplaints(xml: readonly string[], atom: readonly string[]): Promise<string> {
  requireTool('xmllint', 'libxml2-utils')
  requireTool('jing', 'jing', [])
  const lint = await run('xmllint', ['--noout', ...xml])
  const complaints = [lint.code === 0 ? lint.stderr : `xmllint exited ${lint.code}: ${lint.stderr}`]
  for (const schema of [schemaPath('atom.rng'), schemaPath('atom-rules.sch')]) {
    const result = await run('jing', [schema, ...atom])
    complaints.push(withoutJingNoise(result.stdout + result.stderr))
    if (result.code !== 0 && complaints.at(-1) === '') complaints.push(`jing exited ${result.code}`)
  }
  return complaints.join('')
}
