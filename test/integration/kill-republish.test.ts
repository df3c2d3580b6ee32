import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TEST_SECRET } from '../support/app.ts'
import { runKillCampaign } from '../support/kill-campaign.ts'
import { startSeededS3 } from '../support/s3.ts'
import { buildServeEntry } from '../support/silkfeed-process.ts'

// The production entry killed with SIGKILL mid-republish at seeded moments and started again over the
// same s3rver. KILL_CYCLES and KILL_SEED make longer or other runs (`npm run chaos` runs more).
const CYCLES = Number(process.env.KILL_CYCLES ?? 3)
const SEED = Number(process.env.KILL_SEED ?? 15_2)

describe('kill -9 of the Node server in the middle of republishing', () => {
  const root = mkdtempSync(join(tmpdir(), 'silkfeed-kill-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('starts again every time, keeps every acknowledged write, reads every feed, and completes every retried request', async () => {
    const { embedded } = await startSeededS3(join(root, 's3'), 'kill')
    const { entry, remove } = await buildServeEntry()
    try {
      const report = await runKillCampaign({
        entry,
        s3Endpoint: embedded.endpoint,
        bucket: 'kill',
        secret: TEST_SECRET,
        cycles: CYCLES,
        seed: SEED,
      })
      expect(report.failedStarts).toEqual([])
      expect(report.kills).toBe(CYCLES)
      expect(report.acknowledged).toBeGreaterThanOrEqual(CYCLES)
      expect(report.lost).toEqual([])
      expect(report.unreadable).toEqual([])
      expect(report.unfinished).toEqual([])
    } finally {
      remove()
      await embedded.stop()
    }
  }, 240_000)
})
