import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_SECRET } from '../support/app.ts'
import { runInstancesScenario } from '../support/instances-scenario.ts'
import { buildServeEntry } from '../support/silkfeed-process.ts'

// Three production processes sharing one bucket, each stormed with webhooks (issue 15, point 3).
// INSTANCES_SEED and INSTANCES_WEBHOOKS replay or lengthen it.
const SEED = Number(process.env.INSTANCES_SEED ?? 153)
const WEBHOOKS = Number(process.env.INSTANCES_WEBHOOKS ?? 6)

let root: string
let entry: string
let removeEntry: (() => void) | undefined

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'silkfeed-instances-'))
  const built = await buildServeEntry()
  entry = built.entry
  removeEntry = built.remove
})

afterAll(() => {
  removeEntry?.()
  rmSync(root, { recursive: true, force: true })
})

describe('three instances sharing one bucket, each receiving webhooks', () => {
  for (const conditional of [true, false]) {
    const store = conditional
      ? 'a store that keeps to If-Match / If-None-Match'
      : 's3rver, which ignores them'
    it(`on ${store}: no lost update, no feed going back for a reader, every feed converges`, async () => {
      const report = await runInstancesScenario({
        entry,
        directory: join(root, conditional ? 'conditional' : 'plain'),
        seed: SEED,
        secret: TEST_SECRET,
        conditional,
        webhooks: WEBHOOKS,
        stories: 6,
      })
      expect(report.invalid).toEqual([])
      expect(report.lost).toEqual([])
      expect(report.backwards).toEqual([])
      expect(report.unconverged).toEqual([])
      expect(report.acknowledged).toBe(WEBHOOKS + 3)
      // The instances did race: on the store that keeps to conditions some writes were refused.
      if (conditional) expect(report.refused).toBeGreaterThan(0)
      else expect(report.refused).toBe(0)
      console.log(
        `instances (${store}): ${report.acknowledged} webhooks acknowledged, ${report.retried} retried after 503, ` +
          `${report.refused} writes refused, converged ${report.convergedMs} ms after the last 200 (bound ${report.boundMs} ms)`,
      )
    }, 60_000)
  }
})
