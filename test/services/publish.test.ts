import { describe, expect, it } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { StorageUnavailableError, type ObjectStore } from '../../src/ports/object-store.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'

describe('a republish', () => {
  it('stores no feed before the changes it shows are durable, and none when they fail', async () => {
    const memory = new MemoryObjectStore()
    await storeArticles(memory, loadSamples())
    const feedPuts: string[] = []
    let failLog: (error: Error) => void = () => {}
    let logHeld!: () => void
    const held = new Promise<void>((resolve) => (logHeld = resolve))
    const store: ObjectStore = {
      get: (k) => memory.get(k),
      getIfChanged: (k, e) => memory.getIfChanged(k, e),
      list: (p, o) => memory.list(p, o),
      delete: (k) => memory.delete(k),
      ping: () => memory.ping(),
      put: (key, body, meta) => {
        if (key.startsWith('rendered/')) feedPuts.push(key)
        if (!key.startsWith('log/')) return memory.put(key, body, meta)
        logHeld()
        return new Promise((_, reject) => (failLog = reject))
      },
    }
    const app = appOver(store)
    const story = loadSamples().find((a) => a.locale === 'ru' && a.sections.includes('sco'))!
    const answer = postRepublish(app, {
      upsert: [{ ...story, title: 'Исправлено', updatedAt: '2026-12-01T00:00:00Z' }],
    })
    await held
    // Rendering has had every chance to run meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(feedPuts).toEqual([])
    failLog(new StorageUnavailableError('log write failed'))
    expect((await answer).status).toBe(503)
    expect(feedPuts).toEqual([])
  })
})
