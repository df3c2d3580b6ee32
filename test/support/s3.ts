import { startEmbeddedS3, EMBEDDED_CREDENTIALS, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { S3ObjectStore } from '../../src/storage/s3-object-store.ts'
import { nodeS3RequestHandler } from '../../src/platform/node-s3-handler.ts'
import { loadSamples } from './samples.ts'

/** A client of the test s3rver through the real adapter and the real AWS SDK (node:http, as the Node entries). */
export function storeFor(endpoint: string, bucket: string, timeoutMs = 5000): S3ObjectStore {
  return new S3ObjectStore({
    endpoint,
    region: 'us-east-1',
    bucket,
    ...EMBEDDED_CREDENTIALS,
    forcePathStyle: true,
    timeoutMs,
    requestHandler: nodeS3RequestHandler(timeoutMs),
  })
}

/** s3rver on a random free port with the sample articles stored. */
export async function startSeededS3(
  directory: string,
  bucket: string,
): Promise<{ embedded: EmbeddedS3; store: S3ObjectStore }> {
  const embedded = await startEmbeddedS3({ directory, buckets: [bucket] })
  const store = storeFor(embedded.endpoint, bucket)
  await storeArticles(store, loadSamples())
  return { embedded, store }
}
