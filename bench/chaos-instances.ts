// The "instances" phase of `npm run chaos` (issue 15, point 3): three production processes sharing
// one bucket, stormed with webhooks, first over s3rver as it is (it ignores conditional writes),
// then through a proxy that keeps to If-Match / If-None-Match as AWS S3 and R2 do. Knobs:
// CHAOS_INSTANCE_WEBHOOKS (storm webhooks per store, default 40), CHAOS_INSTANCE_STORIES (12).
import { join } from 'node:path'
import { runInstancesScenario } from '../test/support/instances-scenario.ts'

const WEBHOOKS = Number(process.env.CHAOS_INSTANCE_WEBHOOKS ?? 40)
const STORIES = Number(process.env.CHAOS_INSTANCE_STORIES ?? 12)

/** The phase's counts, for its row of bench/chaos.ts's table (the columns it does not fill are 0). */
export async function instancesPhase(context: { entry: string; directory: string; seed: number }) {
  const row = { instances: 3, requests: 0, acknowledged: 0, lost: 0, backwards: 0, invalid: 0 }
  const more = { peakRssBytes: 0, notes: [] as string[] }
  for (const conditional of [false, true]) {
    const store = conditional ? 'conditional writes kept' : 's3rver ignoring conditions'
    const report = await runInstancesScenario({
      entry: context.entry,
      directory: join(context.directory, conditional ? 'conditional' : 'plain'),
      seed: context.seed,
      secret: 'chaos-instances-secret-0123456789',
      conditional,
      webhooks: WEBHOOKS,
      stories: STORIES,
      progress: (step) => console.error(`chaos: instances (${store}): ${step}…`),
    })
    row.requests += report.requests
    row.acknowledged += report.acknowledged
    row.lost += report.lost.length
    row.backwards += report.backwards.length
    row.invalid += report.invalid.length + report.unconverged.length
    more.peakRssBytes = Math.max(more.peakRssBytes, report.peakRss)
    more.notes.push(
      `${store}: ${report.acknowledged} webhooks acknowledged (${report.retried} 503s retried), ` +
        `${report.refused} writes refused, every feed on every instance final ${report.convergedMs} ms ` +
        `after the last 200 (HOT_CACHE_MS + STORAGE_TIMEOUT_MS = ${report.boundMs} ms)`,
      ...[...report.lost, ...report.backwards, ...report.invalid, ...report.unconverged].slice(0, 10),
    )
  }
  return { ...row, ...more }
}
