import { parentPort, workerData } from 'node:worker_threads'
import { S3ObjectStore } from '../storage/s3-object-store.ts'
import { nodeS3RequestHandler } from './node-s3-handler.ts'
import { serveStore, type ThreadSettings } from './threaded-object-store.ts'

// The storage thread's entry (started by `startStorageThread`, built beside the entry that starts
// it): the S3 adapter with the SDK's node:http handler, answering the main thread's calls.
if (!parentPort) throw new Error('storage-thread is started by startStorageThread, not run by itself')
const settings = workerData as ThreadSettings
serveStore(
  parentPort,
  new S3ObjectStore({ ...settings, requestHandler: nodeS3RequestHandler(settings.timeoutMs) }),
)
