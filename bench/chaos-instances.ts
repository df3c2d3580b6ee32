// The "instances" phases of `npm run chaos` (issue 15, point 3): three production processes sharing
// one bucket, stormed with webhooks, over s3rver as it is (it ignores conditional writes) or through
// a proxy that keeps to If-Match / If-None-Match as AWS S3 and R2 do, which also checks every write
// of a rendered feed against the one it replaces (a stale instance overwriting a newer feed counts
// as a feed gone backwards). Knobs: CHAOS_INSTANCE_WEBHOOKS (storm webhooks per store, default 24),
// CHAOS_INSTANCE_STORIES (12); the storm also ends at the phase's time budget.
import { join } from 'node:path'
import { runInstancesScenario } from '../test/support/instances-scenario.ts'

const WEBHOOKS = Number(process.env.CHAOS_INSTANCE_WEBHOOKS ?? 24)
const STORIES = Number(process.env.CHAOS_INSTANCE_STORIES ?? 12)

/** The phase's counts, for its row of bench/chaos.ts's table (the columns it does not fill are 0). */
export async function instancesPhase(
  context: { entry: string; directory: string; seed: number; until: number },
  conditional: boolean,
) {
  const store = conditional ? 'conditional writes kept' : 's3rver ignoring conditions'
  const report = await runInstancesScenario({
    entry: context.entry,
    directory: join(context.directory, conditional ? 'conditional' : 'plain'),
    seed: context.seed,
    secret: 'chaos-instances-secret-0123456789',
    conditional,
    webhooks: WEBHOOKS,
    stories: STORIES,
    stormUntil: context.until,
    progress: (step) => console.error(`chaos: instances (${store}): ${step}…`),
  })
  return {
    instances: report.instances,
    requests: report.requests,
    acknowledged: report.acknowledged,
    lost: report.lost.length,
    backwards: report.backwards.length + report.staleOverwrites.length,
    invalid: report.invalid.length + report.unconverged.length,
    peakRssBytes: report.peakRss,
    notes: [
      `${report.acknowledged} webhooks acknowledged (${report.retried} 503s retried), ` +
        `${report.refused} writes refused, every feed on every instance final ${report.convergedMs} ms ` +
        `after the last 200 (HOT_CACHE_MS + STORAGE_TIMEOUT_MS = ${report.boundMs} ms)`,
      ...[
        ...report.lost,
        ...report.backwards,
        ...report.staleOverwrites,
        ...report.invalid,
        ...report.unconverged,
      ].slice(0, 10),
    ],
  }
}
