import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ObjectStore, StoredObject } from '../../src/ports/object-store.ts'
import { LimitedObjectStore, StorageLimiter } from '../../src/storage/limited-object-store.ts'
import { storeFor } from '../support/s3.ts'

const encode = (text: string) => new TextEncoder().encode(text)

/** A store whose requests finish only when the test says so; it records what ran at once and in what order. */
function heldStore() {
  const pending: Array<{ key: string; finish: (error?: Error) => void }> = []
  const started: string[] = []
  let running = 0
  let peak = 0
  const request = (key: string) =>
    new Promise<StoredObject | null>((resolve, reject) => {
      started.push(key)
      running++
      peak = Math.max(peak, running)
      pending.push({
        key,
        finish: (error) => {
          running--
          if (error) reject(error)
          else resolve({ body: encode(key), contentType: 'text/plain', metadata: {}, etag: `"${key}"` })
        },
      })
    })
  const store: ObjectStore = {
    get: request,
    getIfChanged: request,
    put: async (key) => ({ etag: (await request(key))!.etag }),
    list: async (prefix) => [(await request(prefix))!.etag],
    delete: async (keys) => {
      await request(keys.join(','))
    },
    ping: async () => {
      await request('ping')
    },
  }
  /** Lets the macrotask queue run, so every request that can start has started. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0))
  /** Finishes the oldest running request (with an error if given). */
  const finishOne = async (error?: Error) => {
    await settle()
    const next = pending.shift()
    if (!next) throw new Error('no request is running')
    next.finish(error)
    await settle()
  }
  const finishAll = async () => {
    for (;;) {
      await settle()
      if (pending.length === 0) return
      await finishOne()
    }
  }
  return { store, started, finishOne, finishAll, running: () => running, peak: () => peak }
}

describe('the storage limiter', () => {
  it('never lets more requests run at once than its limit, and runs them all', async () => {
    const held = heldStore()
    const limited = new LimitedObjectStore(held.store, new StorageLimiter(3))
    const calls = Array.from({ length: 20 }, (_, i) => limited.get(`k${i}`))
    await held.finishAll()
    const results = await Promise.all(calls)
    expect(results.map((r) => r?.etag)).toEqual(Array.from({ length: 20 }, (_, i) => `"k${i}"`))
    expect(held.peak()).toBe(3)
  })

  it('starts waiting requests in the order they came, whatever the operation', async () => {
    const held = heldStore()
    const limited = new LimitedObjectStore(held.store, new StorageLimiter(1))
    const calls = [
      limited.get('a'),
      limited.put('b', encode('b'), { contentType: 'text/plain' }),
      limited.list('c/'),
      limited.getIfChanged('d', '"x"'),
      limited.delete(['e']),
      limited.ping(),
    ]
    await held.finishOne()
    // Arrives while five wait: it must not take the slot the first one frees.
    const late = limited.get('late')
    await held.finishAll()
    await Promise.all([...calls, late])
    expect(held.started).toEqual(['a', 'b', 'c/', 'd', 'e', 'ping', 'late'])
  })

  it('frees the slot of a request that failed, so the queue keeps moving', async () => {
    const held = heldStore()
    const limiter = new StorageLimiter(2)
    const limited = new LimitedObjectStore(held.store, limiter)
    const calls = Array.from({ length: 6 }, (_, i) => limited.get(`k${i}`))
    const outcomes = Promise.allSettled(calls)
    await held.finishOne(new Error('storage failed'))
    await held.finishOne(new Error('storage failed'))
    await held.finishAll()
    expect((await outcomes).map((o) => o.status)).toEqual([
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ])
    // A task that throws before returning a promise frees its slot too.
    await expect(
      limiter.run(() => {
        throw new Error('thrown at once')
      }),
    ).rejects.toThrow('thrown at once')
    expect([limiter.active, limiter.queued]).toEqual([0, 0])
  })

  it('takes back a slot held past its lease, once, when a request was cancelled mid-request', async () => {
    let clock = 0
    const limiter = new StorageLimiter(1, { leaseMs: 1000, now: () => clock })
    const never = new Promise<void>(() => {})
    let settleLate: () => void = () => {}
    const late = new Promise<void>((resolve) => (settleLate = resolve))
    void limiter.run(() => never)
    void limiter.run(() => late)
    expect([limiter.active, limiter.queued]).toEqual([1, 1])
    clock = 1500
    // The newcomer takes the first slot back and hands it to the oldest waiter ('late'), then waits.
    const third = limiter.run(async () => 'third')
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect([limiter.active, limiter.queued]).toEqual([1, 1])
    settleLate()
    expect(await third).toBe('third')
    expect([limiter.active, limiter.queued]).toEqual([0, 0])
  })

  it('finishes requests made from the results of others, even with one slot', async () => {
    let running = 0
    let peak = 0
    const store: ObjectStore = {
      ...heldStore().store,
      get: async (key) => {
        running++
        peak = Math.max(peak, running)
        await new Promise((resolve) => setTimeout(resolve, 1))
        running--
        return { body: encode(key), contentType: 'text/plain', metadata: {}, etag: key }
      },
    }
    const limited = new LimitedObjectStore(store, new StorageLimiter(1))
    const request = limited.scope(1)
    // A tree: every answer asks for two more, from both the request's scope and the process's store.
    const walk = async (key: string, depth: number): Promise<number> => {
      const found = await (depth % 2 ? request : limited).get(key)
      if (depth === 0) return 1
      const [left, right] = await Promise.all([
        walk(`${found!.etag}0`, depth - 1),
        walk(`${found!.etag}1`, depth - 1),
      ])
      return 1 + left + right
    }
    expect(await walk('k', 6)).toBe(127)
    expect(await request.scope(1).get('nested scope')).not.toBeNull()
    expect(peak).toBe(1)
  })

  it('lets bulk work take every free slot, and hands the next freed slot to a waiting reader first', async () => {
    const held = heldStore()
    const processStore = new LimitedObjectStore(held.store, new StorageLimiter(3))
    const webhook = processStore.withPriority('bulk')
    const writes = Array.from({ length: 6 }, (_, i) => webhook.get(`write${i}`))
    await new Promise((resolve) => setTimeout(resolve, 0))
    // Alone, the bulk work holds all three slots.
    expect(held.started).toEqual(['write0', 'write1', 'write2'])
    const readers = [processStore.get('feed'), processStore.get('page')]
    // Each freed slot goes to the oldest waiting reader, ahead of the three waiting writes, which
    // then run in the order they came.
    await held.finishAll()
    await Promise.all([...writes, ...readers])
    expect(held.started).toEqual(['write0', 'write1', 'write2', 'feed', 'page', 'write3', 'write4', 'write5'])
    expect(held.peak()).toBe(3)
  })

  it('gives background work a slot only when no reader and no bulk work waits for one', async () => {
    const held = heldStore()
    const processStore = new LimitedObjectStore(held.store, new StorageLimiter(2))
    const maintenance = processStore.withPriority('background')
    const webhook = processStore.withPriority('bulk')
    const scan = Array.from({ length: 5 }, (_, i) => maintenance.get(`scan${i}`))
    await new Promise((resolve) => setTimeout(resolve, 0))
    // Alone, background work holds every slot.
    expect(held.started).toEqual(['scan0', 'scan1'])
    const writes = [webhook.get('write0'), webhook.get('write1')]
    const reader = processStore.get('feed')
    await held.finishAll()
    await Promise.all([...scan, ...writes, reader])
    // The scan queued first, yet each freed slot went to the reader, then to the webhook's writes.
    expect(held.started).toEqual(['scan0', 'scan1', 'feed', 'write0', 'write1', 'scan2', 'scan3', 'scan4'])
    expect(held.peak()).toBe(2)
  })

  it('bounds one request by its scope while the process has room for others', async () => {
    const held = heldStore()
    const processStore = new LimitedObjectStore(held.store, new StorageLimiter(4))
    const webhook = processStore.scope(2)
    const lookups = Array.from({ length: 10 }, (_, i) => webhook.get(`lookup${i}`))
    const reader = processStore.get('feed')
    await new Promise((resolve) => setTimeout(resolve, 0))
    // The webhook holds its two slots; the reader is not queued behind its eight waiting lookups.
    expect(held.started).toEqual(['lookup0', 'lookup1', 'feed'])
    await held.finishAll()
    await Promise.all([...lookups, reader])
    expect(held.peak()).toBe(3)
  })
})

describe('the storage limiter in front of the AWS SDK', () => {
  // A slow store: every answer takes a while, so a burst of requests outlasts the SDK's timeout
  // when they queue for the HTTP agent's sockets, but not when they queue before the SDK.
  let server: Server
  let endpoint: string
  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume()
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'text/plain', etag: '"slow"' })
        response.end('slow answer')
      }, 100)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('does not count the time a request waits for a slot against the connection timeout', async () => {
    // The node:http client of the Node entries: 64 sockets, a connection timeout of 600 ms here.
    const store = new LimitedObjectStore(storeFor(endpoint, 'slow', 600), new StorageLimiter(48))
    const burst = await Promise.allSettled(
      Array.from({ length: 800 }, (_, i) => store.get(`articles/${i}.json`)),
    )
    const failed = burst.filter((outcome) => outcome.status === 'rejected')
    expect(failed.length, String(failed[0]?.reason)).toBe(0)
  }, 60_000)
})
