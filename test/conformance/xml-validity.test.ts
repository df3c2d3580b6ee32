import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderFeedFormats } from '../../src/services/render-feed.ts'
import { loadCatalog, TEST_SETTINGS } from '../support/samples.ts'
import { samplesIn, writeSampleFeeds, type SampleFeed } from './sample-feeds.ts'
import { requireTool, run, schemaPath, withoutJingNoise } from './tools.ts'

let sample: Awaited<ReturnType<typeof writeSampleFeeds>>
let xmlFiles: string[]
let atomFiles: string[]
let atomSchema: string
let atomRules: string
let tombstoneFile: string

beforeAll(async () => {
  requireTool('xmllint', 'libxml2-utils')
  requireTool('jing', 'jing', [])
  atomSchema = schemaPath('atom.rng')
  atomRules = schemaPath('atom-rules.sch')
  sample = await writeSampleFeeds()
  const paths = (f: (feed: SampleFeed) => boolean) => sample.feeds.filter(f).map((feed) => feed.path)
  xmlFiles = paths((feed) => feed.format !== 'json')
  atomFiles = paths((feed) => feed.format === 'atom')
  tombstoneFile = await writeAtomWithTombstones(sample.dir)
})

afterAll(() => sample.remove())

/** The ru sco Atom feed after two stories were pulled: RFC 6721 tombstones must keep it valid. */
async function writeAtomWithTombstones(dir: string): Promise<string> {
  const articles = samplesIn('ru').filter((a) => a.id !== 'sco-moscow-presentation')
  const rendered = await renderFeedFormats({
    definition: loadCatalog().find('sco')!,
    locale: 'ru',
    articles,
    settings: TEST_SETTINGS,
    tombstones: [
      { id: 'sco-moscow-presentation', at: '2022-11-07T10:00:00+08:00' },
      { id: 'sco-pulled-story', at: '2022-11-07T11:30:00+03:00' },
    ],
  })
  const atom = new TextDecoder().decode(rendered.find((r) => r.format === 'atom')!.body)
  expect(atom).toContain('<at:deleted-entry ref="tag:silkfeed.dev,2026:article/sco-moscow-presentation/ru"')
  const path = join(dir, 'sco.ru.tombstones.atom.xml')
  writeFileSync(path, atom)
  return path
}

/** A copy of the uz sco Atom feed with one edit, to prove a checker really rejects something. */
function brokenAtom(name: string, edit: (text: string) => string): string {
  const feed = sample.feeds.find((f) => f.format === 'atom' && f.locale === 'uz' && f.feedId === 'sco')!
  const path = join(sample.dir, `broken-${name}.atom.xml`)
  writeFileSync(path, edit(feed.text))
  return path
}

describe('RSS and Atom outputs', () => {
  it('are 42 XML files (3 public feeds × 7 locales × RSS and Atom)', () => {
    expect(xmlFiles).toHaveLength(42)
    expect(atomFiles).toHaveLength(21)
  })

  it('are well-formed XML for xmllint', async () => {
    const result = await run('xmllint', ['--noout', ...xmlFiles, tombstoneFile])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })

  it('xmllint rejects a feed with a raw ampersand (control)', async () => {
    const path = brokenAtom('ampersand', (text) => text.replace('Silkfeed: SHHT', 'Silkfeed & SHHT'))
    const result = await run('xmllint', ['--noout', path])
    expect(result.code).not.toBe(0)
  })
})

describe('Atom outputs', () => {
  it('are valid against the RFC 4287 RELAX NG schema (jing), with RFC 6721 tombstones too', async () => {
    const result = await run('jing', [atomSchema, ...atomFiles, tombstoneFile])
    expect(withoutJingNoise(result.stdout + result.stderr)).toBe('')
    expect(result.code).toBe(0)
  })

  it('satisfy the RFC 4287 Schematron rules (jing)', async () => {
    const result = await run('jing', [atomRules, ...atomFiles, tombstoneFile])
    expect(withoutJingNoise(result.stdout + result.stderr)).toBe('')
    expect(result.code).toBe(0)
  })

  it('jing rejects a bad date and a feed without any author (controls)', async () => {
    const badDate = brokenAtom('date', (text) =>
      text.replace(/<updated>[^<]*<\/updated>/, '<updated>yesterday</updated>'),
    )
    const noAuthor = brokenAtom('author', (text) => text.replace(/<author>.*?<\/author>/g, ''))
    const [schema, rules] = await Promise.all([
      run('jing', [atomSchema, badDate]),
      run('jing', [atomRules, noAuthor]),
    ])
    expect(schema.code).not.toBe(0)
    expect(schema.stdout).toMatch(/must be an ISO date and time/)
    expect(rules.code).not.toBe(0)
    expect(rules.stdout).toMatch(/must have an atom:author/)
  })
})
