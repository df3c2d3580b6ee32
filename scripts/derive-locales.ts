// Writes locales/{uz-cyrl,kk-latn,zh-hant}/*.json from the base locales' files with the ingest
// transliterators, then each `<ns>.overrides.json` beside them. Run after editing a base locale:
//   npm run locales:derive          (test/i18n checks the files are current)
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DERIVED_RESOURCES, deriveResource } from '../src/i18n/derive-resources.ts'
import { findRoot } from '../src/platform/node-files.ts'

const root = findRoot(import.meta.url)
for (const [variant, base] of Object.entries(DERIVED_RESOURCES) as [
  keyof typeof DERIVED_RESOURCES,
  string,
][]) {
  const dir = join(root, 'locales', variant)
  mkdirSync(dir, { recursive: true })
  for (const file of readdirSync(join(root, 'locales', base)).filter(
    (f) => f.endsWith('.json') && !f.endsWith('.overrides.json'),
  )) {
    const source = JSON.parse(readFileSync(join(root, 'locales', base, file), 'utf8')) as unknown
    const overridesPath = join(dir, file.replace(/\.json$/, '.overrides.json'))
    const overrides = existsSync(overridesPath)
      ? (JSON.parse(readFileSync(overridesPath, 'utf8')) as unknown)
      : {}
    const derived = deriveResource(variant, source, overrides)
    writeFileSync(join(dir, file), `${JSON.stringify(derived, null, 2)}\n`)
    console.log(`locales/${variant}/${file} ← locales/${base}/${file}`)
  }
}
