import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { storeArticles } from '../../src/services/seed.ts'
import { appOver, sampleApp } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { catalogWithLimit, loadSamples } from '../support/samples.ts'

interface Operations {
  options?: { responses: Record<string, { description: string; headers?: Record<string, unknown> }> }
}

/** The document's paths that are not the URL scheme's (health, metrics, the webhook, admin). */
const FIXED_PATHS = (doc: { paths: Record<string, Operations> }) =>
  Object.fromEntries(
    Object.entries(doc.paths).filter(([path]) =>
      /^\/(healthz|readyz|metrics|openapi\.json|webhooks|admin)/.test(path),
    ),
  )

async function openApi() {
  const { app } = await sampleApp()
  const res = await app.request('/openapi.json')
  expect(res.status).toBe(200)
  return await res.json()
}

describe('GET /openapi.json', () => {
  it('describes exactly the routes the app serves, with their methods', async () => {
    const doc = await openApi()
    expect(doc.openapi).toBe('3.1.0')
    const routes = Object.fromEntries(
      Object.entries(doc.paths as Record<string, object>).map(([path, ops]) => [
        path,
        Object.keys(ops).sort(),
      ]),
    )
    expect(routes).toEqual({
      '/healthz': ['get', 'head', 'options'],
      '/readyz': ['get', 'head', 'options'],
      '/metrics': ['get', 'head', 'options'],
      '/openapi.json': ['get', 'head', 'options'],
      '/webhooks/republish': ['options', 'post'],
      '/admin/partners': ['get', 'options', 'post'],
      '/admin/partners/{id}': ['get', 'options'],
      '/admin/partners/{id}/rotate': ['options', 'post'],
      '/admin/partners/{id}/revoke': ['options', 'post'],
      '/p/{key}/{locale}/{feed}.{format}': ['get', 'head', 'options'],
      '/p/{key}/feeds.opml': ['get', 'head', 'options'],
      '/p/{key}/': ['get', 'head', 'options'],
      '/p/{key}/{locale}/changes': ['get', 'head', 'options'],
      '/p/{key}/{locale}/{feed}.ninjs.json': ['get', 'head', 'options'],
      '/p/{key}/{locale}/items/{id}.ninjs.json': ['get', 'head', 'options'],
      '/{locale}/{feed}.ninjs.json': ['get', 'head', 'options'],
      '/{locale}/items/{id}.ninjs.json': ['get', 'head', 'options'],
      '/{locale}/changes': ['get', 'head', 'options'],
      '/{locale}/{feed}/archive/{month}.{format}': ['get', 'head', 'options'],
      '/{locale}/{feed}.{format}': ['get', 'head', 'options'],
      '/{locale}/{feed}': ['get', 'head', 'options'],
      '/{locale}/feeds.opml': ['get', 'head', 'options'],
      '/feeds.opml': ['get', 'head', 'options'],
      '/': ['get', 'head', 'options'],
      '/{feed}.{format}': ['get', 'head', 'options'],
    })
  })

  it('describes /healthz as liveness without storage, and /readyz with its 503', async () => {
    const doc = await openApi()
    expect(doc.paths['/healthz'].get.summary).toMatch(/no storage/)
    expect(Object.keys(doc.paths['/readyz'].get.responses)).toEqual(['200', '405', '503'])
  })

  it('describes the OPTIONS of every fixed route as the 204 with the Allow the app sends', async () => {
    const doc = await openApi()
    const { store } = await sampleApp()
    const app = appOver(store, {}, undefined, {}, undefined, { metrics: { render: () => '' } })
    for (const [template, operations] of Object.entries(FIXED_PATHS(doc))) {
      const res = await app.request(template.replace('{id}', 'some-partner'), { method: 'OPTIONS' })
      expect(res.status, template).toBe(204)
      const documented = operations.options?.responses['204']
      expect(documented?.headers?.Allow, template).toBeDefined()
      expect(documented?.description, template).toContain(`Allow: ${res.headers.get('allow')}`)
    }
    expect(Object.keys(doc.paths['/metrics'].options.responses)).toContain('404')
  })

  it('says how a locale written another way is answered', async () => {
    const doc = await openApi()
    for (const template of ['/{locale}/{feed}.{format}', '/p/{key}/{locale}/changes']) {
      const locale = (doc.paths[template].get.parameters as { name: string; description?: string }[]).find(
        (p) => p.name === 'locale',
      )
      expect(locale?.description, template).toContain('LOCALE_NEAR_MISS')
      expect(locale?.description, template).toContain('LOCALE_NOT_FOUND')
    }
  })

  it('names paths every one of which the app answers (an example of each, filled in)', async () => {
    // Windows of 2 stories: the samples then have archives (2022-10 and 2022-11).
    const store = new MemoryObjectStore()
    await storeArticles(store, loadSamples())
    const app = appOver(store, {}, undefined, {}, catalogWithLimit(2))
    const doc = await openApi()
    const example = (template: string) =>
      template
        .replace('{locale}', 'ru')
        .replace('{feed}', 'sco')
        .replace('{format}', 'rss')
        .replace('{id}', 'sco-roadshow-overview')
        .replace('{month}', '2022-10')
    for (const [template, operations] of Object.entries(doc.paths as Record<string, object>)) {
      if (template === '/metrics') continue // served when the platform provides metrics (prometheus.test.ts)
      for (const method of Object.keys(operations)) {
        const res = await app.request(example(template), { method: method.toUpperCase() })
        expect([404, 405], `${method} ${template}`).not.toContain(res.status)
      }
    }
  })

  it('has a payload schema, generated from the zod schemas, that accepts what the webhook accepts and rejects an unknown field', async () => {
    const doc = await openApi()
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats.default(ajv)
    const validate = ajv.compile(doc.components.schemas.RepublishPayload)
    expect(
      validate({ upsert: loadSamples().slice(0, 4), rebuild: ['sco'] }),
      JSON.stringify(validate.errors),
    ).toBe(true)
    expect(validate({ upsert: [{ ...loadSamples()[0], body: 'x' }] })).toBe(false)
    expect(validate({ rebuild: 'everything' })).toBe(false)
  })
})
