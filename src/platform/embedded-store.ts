import { join } from 'node:path'
import { parseSampleFiles, seedIfEmpty } from '../services/seed.ts'
import { S3ObjectStore } from '../storage/s3-object-store.ts'
import { EMBEDDED_CREDENTIALS, startEmbeddedS3, type EmbeddedS3 } from './embedded-s3.ts'
import { readJsonDirectory } from './node-files.ts'
import { nodeS3RequestHandler } from './node-s3-handler.ts'

/** Storage requests in flight at once against the embedded store (see below). */
export const EMBEDDED_STORAGE_CONCURRENCY = 8

/**
 * The zero-setup default (Node only): s3rver with its data under `<root>/.data/s3`, the bucket
 * created, and the sample articles published on first start (see `seedIfEmpty`).
 */
export async function startSeededEmbeddedStore(
  root: string,
  bucket: string,
  port = 0,
): Promise<{ embedded: EmbeddedS3; seeded: boolean; env: Record<string, string> }> {
  const samples = parseSampleFiles(readJsonDirectory(root, 'samples/articles'))
  const embedded = await startEmbeddedS3({ directory: join(root, '.data', 's3'), port, buckets: [bucket] })
  const store = new S3ObjectStore({
    endpoint: embedded.endpoint,
    region: 'us-east-1',
    bucket,
    ...EMBEDDED_CREDENTIALS,
    forcePathStyle: true,
    timeoutMs: 5000,
    requestHandler: nodeS3RequestHandler(5000),
  })
  const seeded = await seedIfEmpty(store, samples)
  const env = {
    S3_ENDPOINT: embedded.endpoint,
    S3_ACCESS_KEY_ID: EMBEDDED_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: EMBEDDED_CREDENTIALS.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    S3_BUCKET: bucket,
    // One s3rver process works through its requests about as fast with 8 at once as with 48, and
    // each one then waits far less inside it, far from the storage timeout.
    STORAGE_CONCURRENCY: String(EMBEDDED_STORAGE_CONCURRENCY),
  }
  return { embedded, seeded, env }
}
