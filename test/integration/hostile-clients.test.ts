import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TEST_SECRET } from '../support/app.ts'
import { runHostileCampaign, sendRaw, violationsOf } from '../support/hostile-clients.ts'
import { startSeededS3 } from '../support/s3.ts'
import { buildServeEntry, startSilkfeed } from '../support/silkfeed-process.ts'

// Property-based fuzzing of the production entry over raw sockets, plus the hostile classes of issue
// 17 on purpose. FUZZ_RUNS (say 5000) and FUZZ_SEED make longer or other runs.
const RUNS = Number(process.env.FUZZ_RUNS ?? 300)
const SEED = Number(process.env.FUZZ_SEED ?? 15_5)

describe('hostile clients against the running Node server', () => {
  const root = mkdtempSync(join(tmpdir(), 'silkfeed-fuzz-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('never answers a 5xx other than 503, never shows internal detail, and answers every error with a problem document', async () => {
    const { embedded } = await startSeededS3(join(root, 's3'), 'fuzz')
    const { entry, remove } = await buildServeEntry()
    const server = await startSilkfeed({
      entry,
      s3Endpoint: embedded.endpoint,
      bucket: 'fuzz',
      secret: TEST_SECRET,
      env: { LOG_LEVEL: 'silent', WEBHOOK_BODY_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '1000' },
    })
    try {
      // Node's parser refuses these before the app sees them; the answer is still a problem document.
      for (const request of [
        { method: 'BREW', target: '/ru/sco.rss', headers: [], body: '' },
        { method: 'GET', target: '/ru/sco.rss', headers: [['X-Bad', 'a\u0001b']], body: '' },
      ] satisfies Parameters<typeof sendRaw>[1][]) {
        const answer = await sendRaw(server.base, request)
        expect(answer.status, request.method).toBe(400)
        expect(violationsOf(request, answer)).toEqual([])
      }
      const report = await runHostileCampaign({ base: server.base, runs: RUNS, seed: SEED })
      expect(report.violations).toEqual([])
      expect(report.requests).toBeGreaterThan(RUNS)
    } finally {
      await server.stop()
      remove()
      await embedded.stop()
    }
  }, 60_000)
})
