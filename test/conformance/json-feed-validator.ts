import { readFileSync } from 'node:fs'
import Ajv, { type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { schemaPath } from './tools.ts'

/**
 * The JSON Feed 1.1 validator (ajv, draft-07, with formats). test/conformance/schemas/jsonfeed holds two
 * schemastore schemas: feed-1.draft7.json is JSON Feed 1.0 (version const …/version/1, no
 * `language`); feed.draft7.json is 1.1 (const …/version/1.1, `authors`, `language`) and reuses the
 * 1.0 definitions by $ref "feed-1#/…", so both are loaded.
 */
export function compileJsonFeed11Validator(): ValidateFunction {
  const load = (name: string) => JSON.parse(readFileSync(schemaPath(`jsonfeed/${name}`), 'utf8')) as object
  const feed10 = load('feed-1.draft7.json')
  const feed11 = load('feed.draft7.json') as { properties: { version: unknown } }
  if (!JSON.stringify(feed11.properties.version).includes('https://jsonfeed.org/version/1.1')) {
    throw new Error('jsonfeed/feed.draft7.json is no longer the JSON Feed 1.1 schema')
  }
  const ajv = new Ajv({ allErrors: true, strict: false })
  addFormats(ajv)
  ajv.addSchema(feed10)
  return ajv.compile(feed11)
}
