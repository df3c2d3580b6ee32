import type { ValidateFunction } from 'ajv'
import { beforeAll, describe, expect, it } from 'vitest'
import { compileJsonFeed11Validator } from './json-feed-validator.ts'
import { renderSampleFeeds, type SampleFeed } from './sample-feeds.ts'

let validate: ValidateFunction
let feeds: SampleFeed[]

beforeAll(async () => {
  validate = compileJsonFeed11Validator()
  feeds = (await renderSampleFeeds()).filter((f) => f.format === 'json')
})

describe('JSON Feed outputs', () => {
  it('are 21 feeds declaring version 1.1', () => {
    expect(feeds).toHaveLength(21)
    for (const feed of feeds) {
      expect(JSON.parse(feed.text)).toMatchObject({ version: 'https://jsonfeed.org/version/1.1' })
    }
  })

  it('validate against the JSON Feed 1.1 schema (ajv, draft-07, with formats)', () => {
    for (const feed of feeds) {
      const valid = validate(JSON.parse(feed.text))
      expect({ file: feed.fileName, errors: validate.errors ?? [] }).toEqual({
        file: feed.fileName,
        errors: [],
      })
      expect(valid).toBe(true)
    }
  })

  it('the schema rejects an item without id and a non-URI url (control)', () => {
    const document = JSON.parse(feeds[0]!.text) as { items: Record<string, unknown>[] }
    delete document.items[0]!.id
    document.items[1]!.url = 'not a uri'
    expect(validate(document)).toBe(false)
    const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
    expect(paths.join('\n')).toMatch(/\/items\/0 must have required property 'id'/)
    expect(paths.join('\n')).toMatch(/\/items\/1\/url must match format "uri"/)
  })
})
