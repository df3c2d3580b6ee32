import { describe, expect, it } from 'vitest'
import { CACHE_BOUNDS } from '../../src/domain/bounded-cache.ts'
import { createAppCaches } from '../../src/http/caches.ts'
import { AppError, problemResponse } from '../../src/http/errors.ts'
import { appOver, TEST_SECRET } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { postRepublish } from '../support/webhook.ts'

describe('the caches an app keeps across requests', () => {
  it('are the ones its composition root handed it, with their stated bounds, and no other app shares them', async () => {
    const ours = createAppCaches()
    const theirs = createAppCaches()
    expect(ours.problemTexts.bounds).toEqual(CACHE_BOUNDS.problemTexts)
    expect(ours.hmacKeys.bounds).toEqual(CACHE_BOUNDS.hmacKeys)
    const app = appOver(new MemoryObjectStore(), {}, undefined, {}, undefined, { caches: ours })
    appOver(new MemoryObjectStore(), {}, undefined, {}, undefined, { caches: theirs })

    const missing = await app.request('/no/such/page', { headers: { 'accept-language': 'kk' } })
    expect(missing.status).toBe(404)
    const signed = await postRepublish(app, { upsert: [] }, { secret: TEST_SECRET })
    expect(signed.status).not.toBe(401)

    expect(ours.problemTexts.size).toBeGreaterThan(0)
    expect(ours.hmacKeys.get(TEST_SECRET)).toBeInstanceOf(Promise)
    expect(theirs.problemTexts.size).toBe(0)
    expect(theirs.hmacKeys.size).toBe(0)
  })

  it('change no answer: a problem document reads the same from the cache as translated afresh', async () => {
    const texts = createAppCaches().problemTexts
    const error = () => new AppError('ROUTE_NOT_FOUND', { path: '/x' })
    const fresh = await problemResponse(error(), 'ru', '/x').json()
    const first = await problemResponse(error(), 'ru', '/x', texts).json()
    const cached = await problemResponse(error(), 'ru', '/x', texts).json()
    expect(texts.size).toBe(1)
    expect(first).toEqual(fresh)
    expect(cached).toEqual(fresh)
  })
})
