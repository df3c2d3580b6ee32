// `npm run bench:hot-path`: the CPU the app itself spends on a hot feed request, without sockets:
// `app.front` (lookup, conditional GET, variant choice, headers, request id, metrics and the JSON
// log line, batched as on Node, whose output here only counts the bytes) called in a loop, beside a baseline measured in the
// same run that does what bench/bare-server.mjs does per request (pick the captured answer by path,
// method, If-None-Match and Accept-Encoding). Prints ns per request for both and the ratio; the
// median of BENCH_ROUNDS (default 7) rounds of BENCH_REQUESTS (default 300,000) requests.
import { createAppCaches } from '../src/http/caches.ts'
import { cpus } from 'node:os'
import { createApp } from '../src/http/app.ts'
import { requestIdsFrom } from '../src/http/request-log.ts'
import type { HotRequest } from '../src/http/hot-front.ts'
import { PrometheusTelemetry } from '../src/http/prometheus.ts'
import { createJsonLogger } from '../src/platform/logger.ts'
import { createBatchedLineSink } from '../src/platform/node-log-sink.ts'
import { FeedService } from '../src/services/feed-service.ts'
import { storeArticles } from '../src/services/seed.ts'
import { HubNotifier } from '../src/services/websub.ts'
import { PartnerRegistry } from '../src/services/partner-registry.ts'
import { MemoryObjectStore } from '../test/support/memory-store.ts'
import { loadCatalog, loadSamples, TEST_SETTINGS } from '../test/support/samples.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300_000)
const PATH = '/ru/latest.rss'

const store = new MemoryObjectStore()
await storeArticles(store, loadSamples())
let logged = 0
// Byte length, not length: the batch's text is encoded as stdout would (which flattens it).
const logger = createJsonLogger(
  'info',
  createBatchedLineSink({ write: (chunk: string) => (logged += Buffer.byteLength(chunk)) }),
)
const telemetry = new PrometheusTelemetry()
const feeds = new FeedService(store, loadCatalog(), TEST_SETTINGS, logger, {
  now: Date.now,
  freshMs: 3_600_000,
  storageTimeoutMs: 1000,
  overlapMs: 300_000,
  tombstoneMs: 30 * 86_400_000,
  newId: () => crypto.randomUUID(),
  telemetry,
})
// A full-text partner reading the same feed at its keyed URL (no quota to run out in the loop).
const partners = new PartnerRegistry(store, {
  now: Date.now,
  freshMs: 3_600_000,
  randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
})
const { key } = await partners.create({ name: 'Bench', fullText: true, embargoed: false, quota: 1e12 })
const KEYED_PATH = `/p/${key}${PATH}`
const app = createApp({
  partners,
  feeds,
  store,
  logger,
  now: Date.now,
  // As the Node entry makes them (src/platform/build-deps.ts).
  newRequestId: requestIdsFrom(crypto.randomUUID().replace(/-/g, '').slice(0, 12)),
  retryAfterSeconds: 5,
  caches: createAppCaches(),
  telemetry,
  publish: feeds.publishService(Date.now),
  hubs: new HubNotifier({ hubs: [], logger, attempts: 1, backoffMs: 1, timeoutMs: 1 }),
  publicBaseUrl: TEST_SETTINGS.publicBaseUrl,
  webhook: { secrets: ['bench-secret-0123456789'], maxBytes: 1024 },
})
if ((await app.request(PATH)).status !== 200) throw new Error(`${PATH} is not served`)
if ((await app.request(KEYED_PATH)).status !== 200) throw new Error('the keyed feed is not served')

const request: HotRequest = {
  method: 'GET',
  path: PATH,
  cfRay: undefined,
  ifNoneMatch: undefined,
  ifModifiedSince: undefined,
  acceptEncoding: 'gzip, deflate, br',
}
const captured = app.front(request)
if (!captured) throw new Error(`${PATH} is not hot`)
const keyedRequest: HotRequest = { ...request, path: KEYED_PATH }
if (!app.front(keyedRequest)) throw new Error('the keyed feed is not hot')

// The baseline: what the bare server does per request, over the same captured answer.
const routes = new Map([
  [PATH, { identity: captured, gzip: captured, notModified: captured, head: captured }],
])
const bare = (req: HotRequest) => {
  const cases = routes.get(req.path!)
  if (!cases) return undefined
  return req.method === 'HEAD'
    ? cases.head
    : req.ifNoneMatch !== undefined
      ? cases.notModified
      : (req.acceptEncoding ?? '').includes('gzip')
        ? cases.gzip
        : cases.identity
}

function nsPerRequest(handle: (req: HotRequest) => unknown, req = request): number {
  const started = process.hrtime.bigint()
  for (let i = 0; i < REQUESTS; i++) if (!handle(req)) throw new Error('not answered')
  return Number(process.hrtime.bigint() - started) / REQUESTS
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const ours: number[] = []
const theirs: number[] = []
const keyed: number[] = []
for (let round = 0; round < ROUNDS + 1; round++) {
  const a = nsPerRequest(app.front)
  const b = nsPerRequest(bare)
  const k = nsPerRequest(app.front, keyedRequest)
  // The first round warms up.
  if (round > 0) {
    ours.push(a)
    theirs.push(b)
    keyed.push(k)
  }
}
console.log(`# npm run bench:hot-path — ${new Date().toISOString()}`)
console.log(
  `# ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}; ${PATH}, median of ${ROUNDS} × ${REQUESTS} requests`,
)
console.log(
  `app.front: ${median(ours).toFixed(0)} ns per request (log line, metrics and request id included)`,
)
console.log(`baseline (the bare server's choice of answer): ${median(theirs).toFixed(0)} ns per request`)
console.log(
  `the app's own work per hot request: ${(median(ours) - median(theirs)).toFixed(0)} ns over the baseline`,
)
console.log(
  `app.front for a partner's keyed URL of the same feed: ${median(keyed).toFixed(0)} ns per request (${(median(keyed) - median(ours)).toFixed(0)} ns over the public URL)`,
)
console.log(`(${(logged / 1e6).toFixed(0)} MB of log lines made)`)
