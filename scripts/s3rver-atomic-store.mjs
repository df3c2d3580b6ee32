// s3rver's FilesystemStore, made crash-safe for the embedded store of `npm start` (issue 15.2).
//
// s3rver keeps an object in three files (`<name>._S3rver_object`, `.md5`, `._S3rver_metadata.json`)
// and writes them in place one after the other, acknowledging before its object stream has even
// finished. A kill between those writes left objects without metadata, zero-byte metadata files
// whose JSON.parse failed every listing of their prefix (InternalError), and overwritten objects
// holding a mix of two versions.
//
// Here a write streams its body into a journal folder first, then commits with one atomic rename
// of an intent file (key, md5, metadata), and only then moves the body and writes the md5 and
// metadata beside it (each through a temp file and rename). After a crash, `recover()` finishes
// every committed intent and discards uncommitted bodies, so every key holds one whole version:
// the last acknowledged one or a newer unacknowledged one. Reads and writes of one key take turns,
// so no reader sees a body beside another version's metadata. Data written by s3rver itself
// before this store existed is checked once: half-written objects are moved to the quarantine
// folder and logged, never deleted.
//
// Durability is against a process crash (kill -9), not a power cut: nothing is fsynced.
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, readdirSync, statSync } from 'node:fs'
import fs from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import FilesystemStore from 's3rver/lib/stores/filesystem.js'
import S3Object from 's3rver/lib/models/object.js'

const OBJECT = '._S3rver_object'
const MD5 = '._S3rver_object.md5'
const METADATA = '._S3rver_metadata.json'
/** Inside the root folder; bucket names cannot start with a dot, so it is never taken for one. */
export const JOURNAL = '.silkfeed-journal'
/** Present once every object written before this store existed has been checked. */
const VERIFIED = 'verified'

/** Thrown where s3rver expects a missing object: a half-written one is answered as absent. */
function absent(reason) {
  return Object.assign(new Error(reason), { code: 'ENOENT' })
}

const ignore = (code) => (error) => {
  if (error?.code !== code) throw error
}

/** Renames, creating the target folder when a concurrent delete removed it; false when `from` is gone. */
async function moveInto(from, to) {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(from, to)
      return true
    } catch (error) {
      if (error?.code !== 'ENOENT' || attempt === 3) throw error
      const source = await fs.stat(from).catch(ignore('ENOENT'))
      if (!source) return false
      await fs.mkdir(dirname(to), { recursive: true })
    }
  }
}

async function writeAtomically(path, data, temp) {
  await fs.writeFile(temp, data)
  await moveInto(temp, path)
}

async function md5OfFile(path) {
  const hash = createHash('md5')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}

function storedMetadata(metadata) {
  const json = {}
  for (const [name, value] of Object.entries(metadata ?? {})) {
    if (S3Object.ALLOWED_METADATA.includes(name) || name.startsWith('x-amz-meta-')) json[name] = value
  }
  return json
}

export class AtomicFilesystemStore extends FilesystemStore {
  #locks = new Map()
  #sequence = 0
  #log

  /**
   * @param {string} rootDirectory s3rver's data folder (buckets are its subfolders)
   * @param {{ quarantine: string, log?: (level: string, msg: string, fields: object) => void }} options
   */
  constructor(rootDirectory, { quarantine, log = () => {} }) {
    super(rootDirectory)
    this.journal = join(rootDirectory, JOURNAL)
    this.quarantine = quarantine
    this.#log = log
  }

  /** Finishes or discards what a crash interrupted; checks s3rver's own older data once. Run before serving. */
  async recover() {
    await fs.mkdir(this.journal, { recursive: true })
    const files = await fs.readdir(this.journal)
    for (const name of files.filter((file) => file.endsWith('.intent')).sort()) {
      const id = name.slice(0, -'.intent'.length)
      const intent = JSON.parse(await fs.readFile(join(this.journal, name), 'utf8'))
      await this.#apply(id, intent)
      this.#log('info', 'embedded store finished a write interrupted by a crash', {
        bucket: intent.bucket,
        key: intent.key,
      })
    }
    // Bodies and temp files without a committed intent belong to writes that were never acknowledged.
    for (const name of await fs.readdir(this.journal)) {
      if (name === VERIFIED) continue
      await fs.rm(join(this.journal, name), { force: true })
    }
    const verified = join(this.journal, VERIFIED)
    if (!(await fs.stat(verified).catch(ignore('ENOENT')))) {
      await this.#setAsideHalfWritten()
      await fs.writeFile(verified, '')
    }
  }

  async #setAsideHalfWritten() {
    const buckets = (await fs.readdir(this.rootDirectory, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
    for (const bucket of buckets) {
      const bucketPath = this.getBucketPath(bucket)
      const files = [...walkFiles(bucketPath)]
      const present = new Set(files)
      for (const file of files) {
        const stem = stemOf(file)
        if (stem === null) continue
        const objectPath = stem + OBJECT
        const key = relative(bucketPath, stem)
        const parts = [OBJECT, MD5, METADATA].map((suffix) => stem + suffix).filter((p) => present.has(p))
        if (!present.has(objectPath)) {
          // Once per stem: at its first leftover file.
          if (file === parts[0])
            await this.#setAside(bucket, key, parts, 'metadata or md5 without its object')
          continue
        }
        if (file !== objectPath) continue
        const reason = await this.#halfWrittenReason(stem, present)
        if (reason) await this.#setAside(bucket, key, parts, reason)
      }
    }
  }

  async #halfWrittenReason(stem, present) {
    if (!present.has(stem + METADATA)) return 'object without its metadata'
    const text = await fs.readFile(stem + METADATA, 'utf8')
    try {
      const parsed = JSON.parse(text)
      if (parsed === null || typeof parsed !== 'object') return 'metadata is not an object'
    } catch {
      return text.length === 0 ? 'zero-byte metadata' : 'metadata is not valid JSON'
    }
    if (present.has(stem + MD5)) {
      const recorded = await fs.readFile(stem + MD5, 'utf8')
      if (recorded !== (await md5OfFile(stem + OBJECT))) return 'object bytes do not match their md5'
    }
    return null
  }

  async #setAside(bucket, key, paths, reason) {
    const target = join(this.quarantine, bucket)
    for (const path of paths) {
      const to = join(target, relative(this.getBucketPath(bucket), path))
      await fs.mkdir(dirname(to), { recursive: true })
      await fs.rename(path, to)
    }
    this.#log('warn', 'embedded store set aside a half-written object', {
      bucket,
      key,
      reason,
      movedTo: target,
    })
  }

  /** Runs `task` when every earlier task on the same key has settled. */
  #exclusive(bucket, key, task) {
    const id = `${bucket}/${key}`
    const run = (this.#locks.get(id) ?? Promise.resolve()).then(task)
    const settled = run.then(
      () => {},
      () => {},
    )
    this.#locks.set(id, settled)
    void settled.then(() => {
      if (this.#locks.get(id) === settled) this.#locks.delete(id)
    })
    return run
  }

  #newId() {
    this.#sequence += 1
    return `${Date.now().toString().padStart(15, '0')}-${process.pid}-${String(this.#sequence).padStart(9, '0')}`
  }

  async #apply(id, { bucket, key, md5, metadata }) {
    const objectPath = this.getResourcePath(bucket, key, 'object')
    await fs.mkdir(dirname(objectPath), { recursive: true })
    // Gone when a crash came after this rename: the body is already in place.
    await moveInto(join(this.journal, `${id}.object`), objectPath)
    await writeAtomically(`${objectPath}.md5`, md5, join(this.journal, `${id}.md5.tmp`))
    await writeAtomically(
      this.getResourcePath(bucket, key, 'metadata.json'),
      JSON.stringify(metadata, null, 2),
      join(this.journal, `${id}.metadata.tmp`),
    )
    await fs.unlink(join(this.journal, `${id}.intent`))
  }

  async putObject(object) {
    const id = this.#newId()
    const body = join(this.journal, `${id}.object`)
    let size = 0
    const hash = createHash('md5')
    const count = new Transform({
      transform(chunk, _encoding, callback) {
        hash.update(chunk)
        size += chunk.length
        callback(null, chunk)
      },
    })
    try {
      const source = Buffer.isBuffer(object.content) ? [object.content] : object.content
      await pipeline(source, count, createWriteStream(body))
    } catch (error) {
      await fs.rm(body, { force: true })
      throw error
    }
    const md5 = hash.digest('hex')
    const intent = { bucket: object.bucket, key: object.key, md5, metadata: storedMetadata(object.metadata) }
    return this.#exclusive(object.bucket, object.key, async () => {
      // The commit point: once this rename is done, recover() completes the write after any crash.
      await writeAtomically(
        join(this.journal, `${id}.intent`),
        JSON.stringify(intent),
        join(this.journal, `${id}.intent.tmp`),
      )
      await this.#apply(id, intent)
      return { size, md5 }
    })
  }

  async #readMetadata(bucket, key) {
    const objectPath = this.getResourcePath(bucket, key, 'object')
    const stat = await fs.stat(objectPath)
    let metadata
    try {
      metadata = JSON.parse(await fs.readFile(this.getResourcePath(bucket, key, 'metadata.json'), 'utf8'))
    } catch (error) {
      // Only s3rver's own older writes leave these; recover() sets them aside at the next start.
      throw absent(`half-written object ${bucket}/${key}: ${error.code ?? error.message}`)
    }
    if (metadata === null || typeof metadata !== 'object')
      throw absent(`half-written object ${bucket}/${key}`)
    let md5 = await fs.readFile(`${objectPath}.md5`, 'utf8').catch(ignore('ENOENT'))
    if (!md5) {
      md5 = await md5OfFile(objectPath)
      await writeAtomically(`${objectPath}.md5`, md5, join(this.journal, `${this.#newId()}.md5.tmp`))
    }
    return {
      ...metadata,
      etag: JSON.stringify(md5),
      'last-modified': stat.mtime.toUTCString(),
      'content-length': stat.size,
    }
  }

  getMetadata(bucket, key) {
    return this.#exclusive(bucket, key, () => this.#readMetadata(bucket, key))
  }

  getObject(bucket, key, options) {
    return this.#exclusive(bucket, key, async () => {
      let metadata
      try {
        metadata = await this.#readMetadata(bucket, key)
      } catch (error) {
        if (error?.code === 'ENOENT') return null
        throw error
      }
      const lastByte = Math.max(0, Number(metadata['content-length']) - 1)
      const ranged = options && (options.start !== undefined || options.end)
      const range = {
        start: options?.start || 0,
        end: Math.min(options?.end || Infinity, lastByte),
      }
      if (range.start < 0 || Math.min(range.end, lastByte) < range.start) {
        const object = new S3Object(bucket, key, null, metadata)
        if (ranged) object.range = range
        return object
      }
      // Opened inside the turn: a later rename replaces the path, not the bytes this stream reads.
      const content = await new Promise((resolve, reject) => {
        const stream = createReadStream(this.getResourcePath(bucket, key, 'object'), range)
          .on('error', reject)
          .on('open', () => resolve(stream))
      })
      const object = new S3Object(bucket, key, content, metadata)
      if (ranged) object.range = range
      return object
    }).catch((error) => {
      if (error?.code === 'ENOENT') return null
      throw error
    })
  }

  deleteObject(bucket, key) {
    return this.#exclusive(bucket, key, async () => {
      // The object file goes first: without it, the md5 and metadata left by a crash are invisible.
      for (const resource of ['object', 'object.md5', 'metadata.json']) {
        await fs.unlink(this.getResourcePath(bucket, key, resource)).catch(ignore('ENOENT'))
      }
      const bucketPath = this.getBucketPath(bucket)
      const parts = key.split('/').slice(0, -1)
      for (; parts.length > 0; parts.pop()) {
        // Another key's write may have just filled the folder, or another delete removed it.
        const removed = await fs.rmdir(join(bucketPath, ...parts)).then(
          () => true,
          () => false,
        )
        if (!removed) break
      }
    })
  }

  async listBuckets() {
    return (await super.listBuckets()).filter((bucket) => !bucket.name.startsWith('.'))
  }
}

function* walkFiles(directory) {
  for (const name of readdirSync(directory)) {
    const path = join(directory, name)
    if (statSync(path).isDirectory()) yield* walkFiles(path)
    else yield path
  }
}

/** The path of an object's files without the suffix s3rver adds, or null for other files. */
function stemOf(file) {
  for (const suffix of [MD5, METADATA, OBJECT]) {
    if (file.endsWith(suffix)) return file.slice(0, -suffix.length)
  }
  return null
}
