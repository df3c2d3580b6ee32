import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import { FetchHttpHandler } from '@smithy/fetch-http-handler'
import {
  PreconditionFailedError,
  storageUnavailable,
  type PutCondition,
  type StorageFailure,
  type Bytes,
  type ObjectMeta,
  type ObjectStore,
  type StoredObject,
} from '../ports/object-store.ts'

/** Where the bucket is and how to reach it; from configuration. */
export interface S3Settings {
  endpoint?: string
  region: string
  bucket: string
  accessKeyId: string
  secretAccessKey: string
  forcePathStyle: boolean
  /** Upper bound for one storage request, in milliseconds. */
  timeoutMs: number
  /**
   * How the SDK sends requests: fetch() when not given (the Worker: workerd has no node:http
   * client); the Node entries pass the SDK's node:http handler, which costs half the CPU.
   */
  requestHandler?: S3ClientConfig['requestHandler']
}

/** The S3 adapter: the only module that imports the AWS SDK. Works with AWS S3, R2, MinIO, Ceph, s3rver. */
export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client
  readonly #bucket: string

  constructor(settings: S3Settings) {
    this.#bucket = settings.bucket
    this.#client = new S3Client({
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
      // s3rver stores streamed bodies with checksums corrupted; only send them where S3 requires it.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
      // The middleware stack is resolved once per command type, not at every request (a tenth of the
      // SDK's CPU per request); nothing here adds middleware to the client or a command.
      cacheMiddleware: true,
      requestHandler: settings.requestHandler ?? new FetchHttpHandler({ requestTimeout: settings.timeoutMs }),
    })
  }

  get(key: string): Promise<StoredObject | null> {
    return this.#get(key, undefined) as Promise<StoredObject | null>
  }

  getIfChanged(key: string, etag: string): Promise<StoredObject | null | 'unchanged'> {
    return this.#get(key, etag)
  }

  async #get(key: string, ifNoneMatch: string | undefined): Promise<StoredObject | null | 'unchanged'> {
    try {
      const out = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: key, IfNoneMatch: ifNoneMatch }),
      )
      const body = (out.Body ? await out.Body.transformToByteArray() : new Uint8Array()) as Bytes
      return {
        body,
        contentType: out.ContentType ?? 'application/octet-stream',
        metadata: out.Metadata ?? {},
        etag: out.ETag ?? '',
      }
    } catch (error) {
      if (isNotFound(error)) return null
      // The SDK reports a 304 as an error.
      if (ifNoneMatch !== undefined && statusOf(error) === 304) return 'unchanged'
      throw storageUnavailable('get', key, error)
    }
  }

  async put(key: string, body: Bytes, meta: ObjectMeta, condition?: PutCondition): Promise<{ etag: string }> {
    try {
      const out = await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: body,
          ContentLength: body.byteLength,
          ContentType: meta.contentType,
          Metadata: meta.metadata,
          ...(condition && 'ifMatch' in condition && { IfMatch: condition.ifMatch }),
          ...(condition && 'ifNoneMatch' in condition && { IfNoneMatch: condition.ifNoneMatch }),
        }),
      )
      return { etag: out.ETag ?? '' }
    } catch (error) {
      // 412: the condition does not hold; 409: S3 lost a race of two conditional writes of the key.
      const status = statusOf(error)
      if (condition && (status === 412 || status === 409)) {
        throw new PreconditionFailedError(`storage put ${key}: precondition failed`, { cause: error })
      }
      throw storageUnavailable('put', key, error, failureOf(error))
    }
  }

  async list(prefix: string, options: { startAfter?: string } = {}): Promise<string[]> {
    const keys: string[] = []
    let token: string | undefined
    try {
      do {
        const out = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            ContinuationToken: token,
            StartAfter: token ? undefined : options.startAfter,
          }),
        )
        for (const item of out.Contents ?? []) if (item.Key) keys.push(item.Key)
        token = out.IsTruncated ? out.NextContinuationToken : undefined
      } while (token)
    } catch (error) {
      throw storageUnavailable('list', prefix, error, failureOf(error))
    }
    return keys.sort()
  }

  async delete(keys: readonly string[]): Promise<void> {
    try {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000)
        await this.#client.send(
          new DeleteObjectsCommand({
            Bucket: this.#bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        )
      }
    } catch (error) {
      throw storageUnavailable('delete', keys[0] ?? '', error, failureOf(error))
    }
  }

  async ping(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }))
    } catch (error) {
      throw storageUnavailable('ping', this.#bucket, error, failureOf(error))
    }
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode
}

/**
 * What a refusal says about the configuration: 401 or 403, the store refused the credentials (an
 * unknown key, a wrong secret, a key not allowed on the bucket); 404 beside a missing key, no such
 * bucket. HeadBucket's answers have no body, so the status is all there is to go by.
 */
function failureOf(error: unknown): StorageFailure {
  const status = statusOf(error)
  if (status === 401 || status === 403) return 'credentials-refused'
  if (status === 404 || (error instanceof S3ServiceException && error.name === 'NoSuchBucket'))
    return 'bucket-missing'
  return 'unreachable'
}

function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404
  }
  return false
}
