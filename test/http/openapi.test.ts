import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { sampleApp } from '../support/app.ts'
import { loadSamples } from '../support/samples.ts'

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document describing the feed and webhook routes', async () => {
    const { app } = await sampleApp()
    const res = await app.request('/openapi.json')
    expect(res.status).toBe(200)
    const doc = (await res.json()) as any
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/{locale}/{feed}.{format}',
        '/webhooks/republish',
        '/',
        '/{locale}/{feed}',
        '/feeds.opml',
        '/{locale}/feeds.opml',
        '/{feed}.{format}',
      ]),
    )
  })

  it('has a payload schema, generated from the zod schemas, that accepts what the webhook accepts and rejects an unknown field', async () => {
    const { app } = await sampleApp()
    const doc = (await (await app.request('/openapi.json')).json()) as any
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
