// `npm run seed`: publishes the sample articles into the configured S3 store (S3_* variables) if it
// has no articles yet, as one webhook upsert would (versions, derived variants, one change-log entry
// the change cursor announces; feeds are rendered on first read). Prints what it did; exits non-zero
// with the reason when it cannot.
import { fileURLToPath } from 'node:url'
import { parseConfig } from '../src/platform/config.ts'
import { readJsonDirectory } from '../src/platform/node-files.ts'
import { parseSampleFiles, seedIfEmpty } from '../src/services/seed.ts'
import { S3ObjectStore } from '../src/storage/s3-object-store.ts'
import { nodeS3RequestHandler } from '../src/platform/node-s3-handler.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
try {
  const config = parseConfig(process.env)
  const { endpoint, accessKeyId, secretAccessKey } = config.s3
  if (!accessKeyId || !secretAccessKey)
    throw new Error('Set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (and S3_ENDPOINT for a non-AWS store).')
  const store = new S3ObjectStore({
    ...config.s3,
    accessKeyId,
    secretAccessKey,
    requestHandler: nodeS3RequestHandler(config.s3.timeoutMs),
  })
  const samples = parseSampleFiles(readJsonDirectory(root, 'samples/articles'))
  const seeded = await seedIfEmpty(store, samples)
  console.log(
    seeded
      ? `published ${samples.length} sample articles in ${config.s3.bucket} at ${endpoint ?? 'AWS'}`
      : 'the store already has articles; nothing published',
  )
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
