import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { expect } from 'vitest'
import { SCHEMAS_DIR } from '../conformance/tools.ts'

const schema = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'ninjs', 'ninjs-schema_3.1.json'), 'utf8')) as object
const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats.default(ajv)
// The schema refers to GeoJSON for places[].geoJSON, which Silkfeed never sends; no network here.
ajv.addSchema({ $id: 'https://geojson.org/schema/GeoJSON.json', type: 'object', required: ['type'] })
const validateNinjs = ajv.compile(schema)

/** Fails the test, naming `where` and the schema's complaints, unless `item` is a valid ninjs 3.1 item. */
export function expectValidNinjs(item: unknown, where: string): void {
  expect(validateNinjs(item), `${where}: ${JSON.stringify(validateNinjs.errors)}`).toBe(true)
}
