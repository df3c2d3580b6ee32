import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startEmbeddedS3, type EmbeddedS3 } from '../../src/platform/embedded-s3.ts'
import { seededRandom as seeded } from '../support/seeded.ts'
import type { Bytes } from '../../src/ports/object-store.ts'
import { storeFor } from '../support/s3.ts'

// The embedded store killed with SIGKILL at random moments of many writes and deletes, then restarted.
// Deterministic by default (six kills, about a thousand acknowledged writes); CRASH_CYCLES (say 60),
// CRASH_SEED and CRASH_CONCURRENCY make longer or other runs.
const CYCLES = Number(process.env.CRASH_CYCLES ?? 6)
const SEED = Number(process.env.CRASH_SEED ?? 20261205)
const CONCURRENCY = Number(process.env.CRASH_CONCURRENCY ?? 24)
const BUCKET = 'crash'
const PREFIXES = ['articles/ru/3f/', 'log/', 'snapshots/v2/latest/', 'rendered/sco/']
const KEYS_PER_PREFIX = 30

const KEYS = PREFIXES.flatMap((prefix) =>
  Array.from({ length: KEYS_PER_PREFIX }, (_, i) => `${prefix}${i % 3 === 0 ? `n${i}/` : ''}k${i}.json`),
)

/** The bytes of one version of a key: its own header, then filler whose length and content depend on both. */
function bodyOf(key: string, version: number): Bytes {
  const header = `${key}#${version}#`
  const sizes = [0, 10, 300, 5_000, 70_000, 250_000]
  const size = sizes[(version * 7 + key.length) % sizes.length]!
  const bytes = new Uint8Array(header.length + size)
  bytes.set(new TextEncoder().encode(header))
  for (let i = 0; i < size; i++) bytes[header.length + i] = 97 + ((i * 31 + version) % 26)
  return bytes
}

function versionIn(key: string, body: Uint8Array): number {
  const text = new TextDecoder().decode(body.subarray(0, key.length + 24))
  const match = /^(.*?)#(\d+)#/.exec(text)
  if (!match || match[1] !== key) throw new Error(`${key} holds bytes of another key: ${text}`)
  const version = Number(match[2])
  expect(
    Buffer.from(body).equals(Buffer.from(bodyOf(key, version))),
    `${key} version ${version} is whole`,
  ).toBe(true)
  return version
}

describe('the embedded store killed mid-write', () => {
  const root = mkdtempSync(join(tmpdir(), 'silkfeed-crash-'))
  const directory = join(root, 's3')
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('starts again every time, lists and reads every object, and keeps every acknowledged write', async () => {
    const random = seeded(SEED)
    /** Per key: what its last acknowledged PUT (a version) or delete ('absent') left. */
    const acknowledged = new Map<string, number | 'absent'>()
    /** Per key: the one write the kill interrupted, which may or may not have happened. */
    const interrupted = new Map<string, number | 'absent'>()
    /** Per key: the newest version ever sent, so every body is new. */
    const newest = new Map<string, number>()
    let acks = 0
    let planned = 0

    for (let cycle = 0; cycle <= CYCLES; cycle++) {
      const embedded: EmbeddedS3 = await startEmbeddedS3({
        directory,
        buckets: [BUCKET],
        onStderrLine: () => {},
      })
      const store = storeFor(embedded.endpoint, BUCKET)

      // Every listing succeeds, every listed object reads back whole, every acknowledged write is there.
      const listed = new Set<string>()
      for (const prefix of PREFIXES) for (const key of await store.list(prefix)) listed.add(key)
      for (const key of KEYS) {
        const object = await store.get(key)
        expect(object !== null, `${key} is listed exactly when it reads back`).toBe(listed.has(key))
        const found = object === null ? 'absent' : versionIn(key, object.body)
        // A key is written by one request at a time here, so it holds what its last acknowledged
        // write left, or what the one write after it that the kill interrupted would have.
        const allowed = [
          acknowledged.get(key) ?? 'absent',
          interrupted.get(key) ?? acknowledged.get(key) ?? 'absent',
        ]
        expect(allowed, `${key} holds ${found}`).toContain(found)
        acknowledged.set(key, found)
      }
      interrupted.clear()
      if (cycle === CYCLES) {
        await embedded.stop()
        break
      }

      // Writes (one in ten a delete) until the seeded moment of the kill; a key is never written twice at once.
      const killAfter = 50 + Math.floor(random() * 300)
      planned += killAfter
      const busy = new Set<string>()
      let killed = false
      let cycleAcks = 0
      const killNow = async () => {
        if (killed) return
        killed = true
        // A few sub-millisecond turns later, so the kill lands inside writes rather than between them.
        for (let i = Math.floor(random() * 4); i > 0; i--) await new Promise((r) => setImmediate(r))
        embedded.process.kill('SIGKILL')
      }
      const worker = async () => {
        while (!killed) {
          const free = KEYS.filter((key) => !busy.has(key))
          const key = free[Math.floor(random() * free.length)]!
          const write: number | 'absent' = random() < 0.1 ? 'absent' : (newest.get(key) ?? 0) + 1
          if (write !== 'absent') newest.set(key, write)
          busy.add(key)
          interrupted.set(key, write)
          try {
            if (write === 'absent') await store.delete([key])
            else await store.put(key, bodyOf(key, write), { contentType: 'application/json' })
            interrupted.delete(key)
            acknowledged.set(key, write)
            acks++
            if (++cycleAcks >= killAfter) await killNow()
          } catch (error) {
            // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- killNow() sets it meanwhile
            if (!killed) throw error
          } finally {
            busy.delete(key)
          }
        }
      }
      await Promise.all(Array.from({ length: CONCURRENCY }, worker))
      await embedded.stop()
    }
    expect(acks).toBeGreaterThanOrEqual(planned)
  }, 120_000)
})
