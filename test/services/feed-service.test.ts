import { describe, expect, it } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadCatalog, loadSamples, TEST_SETTINGS } from '../support/samples.ts'
import { serviceOver, silentLogger } from '../support/app.ts'

const decoder = new TextDecoder()

describe('feeds stored under other settings', () => {
  it('are rendered again with the current PUBLIC_BASE_URL instead of served with the old links', async () => {
    const store = new MemoryObjectStore()
    await storeArticles(store, loadSamples())
    const catalog = loadCatalog()
    const sco = catalog.find('sco')!
    const before = serviceOver(store, {}, silentLogger, catalog, TEST_SETTINGS)
    const old = await before.getFeed(sco, 'kk', 'atom')
    expect(decoder.decode(old.bundle.variants.identity.body)).toContain(
      'href="https://feeds.silkfeed.test/kk/sco.atom"',
    )

    // The operator moves the service to a new address; the next instance reads the same bucket.
    const moved = { ...TEST_SETTINGS, publicBaseUrl: 'https://feeds.example.org' }
    const after = serviceOver(store, {}, silentLogger, catalog, moved)
    const served = await after.getFeed(sco, 'kk', 'atom')
    expect(served.outcome).toBe('rendered')
    const xml = decoder.decode(served.bundle.variants.identity.body)
    expect(xml).toContain('href="https://feeds.example.org/kk/sco.atom"')
    expect(xml).not.toContain('feeds.silkfeed.test')

    // Once stored again, a further instance with the same settings takes the stored bundle as it is.
    const again = await serviceOver(store, {}, silentLogger, catalog, moved).getFeed(sco, 'kk', 'atom')
    expect(again.outcome).toBe('miss')
    expect(again.bundle.variants.identity.etag).toBe(served.bundle.variants.identity.etag)
  })
})
