import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FORMATS } from '../../src/domain/feed-definition.ts'
import { LOCALES } from '../../src/domain/locale.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { appOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { catalogWithLimit, loadSamples } from '../support/samples.ts'
import { postRepublish } from '../support/webhook.ts'
import { compileJsonFeed11Validator } from './json-feed-validator.ts'
import { FILE_EXTENSION } from './sample-feeds.ts'
import { requirePythonWithFeedparser, run, xmlAndAtomComplaints } from './tools.ts'

// Every archive document of the sample catalogue with windows of 2 stories (latest and sco, seven
// locales, 2022-10 and 2022-11, three formats), one story pulled so that an archive holds a
// tombstone, and the current feeds that link them: the same checkers as the feeds.

const HELPER = new URL('./feedparser-check.py', import.meta.url).pathname
const MONTHS = ['2022-10', '2022-11']
let dir: string
const files: { path: string; format: string; url: string; text: string }[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'silkfeed-archives-'))
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  const app = appOver(store, { freshMs: 0 }, undefined, {}, catalogWithLimit(2))
  const pulled = await postRepublish(app, { retract: [{ id: 'sco-moscow-presentation' }] })
  expect(pulled.status).toBe(200)
  for (const feed of ['latest', 'sco']) {
    for (const locale of LOCALES) {
      for (const format of FORMATS) {
        const paths = [
          `/${locale}/${feed}.${format}`,
          ...MONTHS.map((m) => `/${locale}/${feed}/archive/${m}.${format}`),
        ]
        for (const url of paths) {
          const res = await app.request(url)
          expect(res.status, url).toBe(200)
          const text = await res.text()
          const path = join(
            dir,
            `${url
              .slice(1)
              .replace(/\//g, '_')
              .replace(/\.\w+$/, '')}.${FILE_EXTENSION[format]}`,
          )
          writeFileSync(path, text)
          files.push({ path, format, url, text })
        }
      }
    }
  }
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

const archives = (format?: string) =>
  files.filter((f) => f.url.includes('/archive/') && (format === undefined || f.format === format))

describe('archive documents pass the feeds’ checkers', () => {
  it('are 2 feeds × 7 locales × 2 months × 3 formats, one Atom archive with a tombstone per locale', () => {
    expect(archives()).toHaveLength(84)
    const withTombstone = archives('atom').filter((f) => f.text.includes('<at:deleted-entry'))
    expect(withTombstone.map((f) => f.url).sort()).toEqual(
      LOCALES.flatMap((l) => [`/${l}/latest/archive/2022-10.atom`, `/${l}/sco/archive/2022-10.atom`]).sort(),
    )
  })

  it('are well-formed XML (xmllint) and valid Atom (jing: RELAX NG and Schematron)', async () => {
    const xml = files.filter((f) => f.format !== 'json').map((f) => f.path)
    const atom = files.filter((f) => f.format === 'atom').map((f) => f.path)
    expect(await xmlAndAtomComplaints(xml, atom)).toBe('')
  })

  it('validate against the JSON Feed 1.1 schema, archives and current feeds with next_url', () => {
    const validate = compileJsonFeed11Validator()
    for (const file of files.filter((f) => f.format === 'json')) {
      validate(JSON.parse(file.text))
      expect({ file: file.url, errors: validate.errors ?? [] }).toEqual({ file: file.url, errors: [] })
    }
  })

  it('parse cleanly in Python feedparser (bozo 0), which reads the RFC 5005 links', async () => {
    const python = requirePythonWithFeedparser()
    const xml = files.filter((f) => f.format !== 'json')
    const result = await run(python, [HELPER, ...xml.map((f) => f.path)])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as {
      feeds: {
        file: string
        bozo: number
        bozo_exception: string | null
        feed: { links: { rel: string; href: string }[] }
      }[]
    }
    expect(report.feeds).toHaveLength(xml.length)
    for (const feed of report.feeds) {
      expect({ file: feed.file, bozo: feed.bozo, exception: feed.bozo_exception }).toEqual({
        file: feed.file,
        bozo: 0,
        exception: null,
      })
      const { url, format } = xml.find((f) => f.path === feed.file)!
      const rels = feed.feed.links.map((l) => l.rel)
      if (url.endsWith(`2022-11.${format}`)) {
        expect(rels).toEqual(expect.arrayContaining(['current', 'prev-archive']))
        expect(rels).not.toContain('next-archive')
      } else if (url.endsWith(`2022-10.${format}`)) {
        expect(rels).toEqual(expect.arrayContaining(['current', 'next-archive']))
        expect(rels).not.toContain('prev-archive')
      } else {
        const prev = feed.feed.links.find((l) => l.rel === 'prev-archive')?.href
        expect(prev).toBe(
          `https://feeds.silkfeed.test${url.replace(`.${format}`, `/archive/2022-11.${format}`)}`,
        )
      }
    }
  })
})
