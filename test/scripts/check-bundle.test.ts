import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../support/samples.ts'

// `npm run check:bundle`: one real `wrangler deploy --dry-run` build, measured again under other budgets.

let outdir: string
let build: ReturnType<typeof checkBundle>

function checkBundle(args: string[], env: Record<string, string> = {}) {
  const { BUNDLE_BUDGET_KB: _, ...inherited } = process.env
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-bundle.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...inherited, ...env },
  })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'silkfeed-check-bundle-'))
  build = checkBundle(['--outdir', outdir])
}, 120_000)

afterAll(() => rmSync(outdir, { recursive: true, force: true }))

describe('npm run check:bundle', () => {
  it('builds the Worker with wrangler, prints its raw and gzipped size, and passes the default budget', () => {
    expect(build.stderr).not.toMatch(/over budget/)
    expect(build.code).toBe(0)
    const line = /Worker bundle: ([\d.]+) KiB raw, ([\d.]+) KiB gzip \(budget (\d+) KiB gzip\)/.exec(
      build.stdout,
    )
    expect(line).not.toBeNull()
    // The printed size is the gzip of what wrangler would upload.
    const worker = readFileSync(join(outdir, 'worker.js'))
    expect(Number(line![1])).toBeCloseTo(worker.length / 1024, 0)
    expect(Number(line![2])).toBeCloseTo(gzipSync(worker).length / 1024, 0)
    expect(Number(line![2])).toBeLessThan(Number(line![3]))
    expect(readdirSync(outdir)).toContain('worker.js')
  })

  it('fails with a message naming size and budget when the bundle is over an artificially small budget', () => {
    const over = checkBundle(['--outdir', outdir, '--skip-build', '--budget-kb', '50'])
    expect(over.code).toBe(1)
    expect(over.stderr).toMatch(/Worker bundle over budget: [\d.]+ KiB gzip > 50 KiB/)
  })

  it('takes the budget from BUNDLE_BUDGET_KB too', () => {
    expect(checkBundle(['--outdir', outdir, '--skip-build'], { BUNDLE_BUDGET_KB: '50' }).code).toBe(1)
    expect(checkBundle(['--outdir', outdir, '--skip-build'], { BUNDLE_BUDGET_KB: '10000' }).code).toBe(0)
  })

  it('refuses a budget that is not a positive number', () => {
    const bad = checkBundle(['--outdir', outdir, '--skip-build', '--budget-kb', 'lots'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/budget must be a positive number of KiB, not "lots"/)
  })
})
