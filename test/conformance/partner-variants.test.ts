import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ValidateFunction } from 'ajv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { AUDIENCE_KEYS, audienceOf, type AudienceKey } from '../../src/domain/audience.ts'
import { renderFeedFormats, type RenderedFeed } from '../../src/services/render-feed.ts'
import { loadCatalog, TEST_SETTINGS } from '../support/samples.ts'
import { compileJsonFeed11Validator } from './json-feed-validator.ts'
import { FILE_EXTENSION, samplesIn } from './sample-feeds.ts'
import { requirePythonWithFeedparser, run, xmlAndAtomComplaints } from './tools.ts'

// The partners-only sample feed in every audience, from the ru samples with one story under embargo,
// one carrying rights, and three tombstones (one per retraction reason): the documents a partner
// reads must pass the same checkers as the public feeds.

const NOW = Date.parse('2026-12-05T12:00:00Z')
const EMBARGO = '2026-12-06T09:00:00+03:00'
const HELPER = new URL('./feedparser-check.py', import.meta.url).pathname

function articles(): Article[] {
  return samplesIn('ru').map((a) =>
    a.id === 'sco-moscow-presentation'
      ? { ...a, embargoUntil: EMBARGO }
      : a.id === 'sco-almaty-presentation'
        ? {
            ...a,
            rights: {
              copyrightHolder: 'Циндао жибао',
              usageTerms: 'Перепечатка только партнёрами по лицензии.',
              licenseUrl: 'https://silkfeed.test/license',
            },
          }
        : a,
  )
}

const TOMBSTONES = [
  { id: 'sco-killed', at: '2026-12-04T10:00:00+03:00', reason: 'kill' as const },
  { id: 'sco-withdrawn', at: '2026-12-04T11:00:00+03:00', reason: 'withdrawn' as const },
  { id: 'sco-held', at: '2026-12-04T12:00:00+03:00', reason: 'correction-pending' as const },
]

let dir: string
const rendered = new Map<AudienceKey, RenderedFeed[]>()
const files: { audience: AudienceKey; format: string; path: string; text: string }[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'silkfeed-partner-'))
  const definition = loadCatalog().find('wire')!
  for (const audience of AUDIENCE_KEYS) {
    const feeds = await renderFeedFormats({
      definition,
      locale: 'ru',
      articles: articles(),
      settings: TEST_SETTINGS,
      tombstones: TOMBSTONES,
      audience: audienceOf(audience),
      now: NOW,
    })
    rendered.set(audience, feeds)
    for (const feed of feeds) {
      const path = join(dir, `wire.ru.${audience}.${FILE_EXTENSION[feed.format]}`)
      writeFileSync(path, feed.body)
      files.push({ audience, format: feed.format, path, text: new TextDecoder().decode(feed.body) })
    }
  }
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

const textOf = (audience: AudienceKey, format: string) =>
  files.find((f) => f.audience === audience && f.format === format)!.text
const embargoedId = 'tag:silkfeed.dev,2026:article/sco-moscow-presentation/ru'

describe('partner audiences of the wire feed', () => {
  it('hold the embargoed story only where embargoed stories are seen, marked with its release time', () => {
    for (const audience of AUDIENCE_KEYS) {
      const json = JSON.parse(textOf(audience, 'json')) as {
        items: { id: string; _silkfeed: { embargoedUntil?: string } }[]
      }
      const item = json.items.find((i) => i.id === embargoedId)
      if (audienceOf(audience).embargoed) {
        expect(item?._silkfeed.embargoedUntil).toBe('2026-12-06T09:00:00+03:00')
        expect(textOf(audience, 'atom')).toContain(
          '<sf:embargoedUntil xmlns:sf="https://silkfeed.dev/ns/1.0">2026-12-06T09:00:00+03:00</sf:embargoedUntil>',
        )
        expect(textOf(audience, 'rss')).toContain('<sf:embargoedUntil')
      } else {
        expect(item).toBeUndefined()
        for (const format of ['rss', 'atom']) expect(textOf(audience, format)).not.toContain(embargoedId)
      }
    }
  })

  it('know when the embargo ends, so no copy outlives it', () => {
    for (const audience of AUDIENCE_KEYS)
      for (const feed of rendered.get(audience)!) expect(feed.nextRelease).toBe(Date.parse(EMBARGO))
  })

  it('carry no body in excerpts, and the body in full text', () => {
    for (const audience of AUDIENCE_KEYS) {
      const excerpt = audienceOf(audience).body === 'excerpt'
      const json = JSON.parse(textOf(audience, 'json')) as { items: Record<string, unknown>[] }
      for (const item of json.items) {
        expect('content_html' in item).toBe(!excerpt)
        // JSON Feed wants content_html or content_text: an excerpt carries its summary as text.
        if (excerpt) expect(item.content_text).toBe(item.summary ?? item.title)
      }
      expect(textOf(audience, 'rss').includes('<content:encoded>')).toBe(!excerpt)
      expect(textOf(audience, 'atom').includes('<content type="html">')).toBe(!excerpt)
    }
  })

  it('show rights in every format: RSS dc:rights, Atom rights and licence link, JSON _silkfeed.rights', () => {
    const line =
      '© Циндао жибао Перепечатка только партнёрами по лицензии. Лицензия: https://silkfeed.test/license'
    expect(textOf('full', 'rss')).toContain(`<dc:rights>${line}</dc:rights>`)
    expect(textOf('full', 'atom')).toContain(`${line}</rights>`)
    expect(textOf('full', 'atom')).toContain(
      '<link rel="license" type="text/html" href="https://silkfeed.test/license"/>',
    )
    const json = JSON.parse(textOf('full', 'json')) as { items: { _silkfeed: { rights?: unknown } }[] }
    expect(json.items.map((i) => i._silkfeed.rights).filter(Boolean)).toEqual([
      {
        copyrightHolder: 'Циндао жибао',
        usageTerms: 'Перепечатка только партнёрами по лицензии.',
        licenseUrl: 'https://silkfeed.test/license',
      },
    ])
  })

  it('say why each story was pulled: Atom at:comment in the feed language, JSON _silkfeed.deleted', () => {
    const atom = textOf('full', 'atom')
    expect(atom).toContain(
      '<at:deleted-entry ref="tag:silkfeed.dev,2026:article/sco-killed/ru" when="2026-12-04T10:00:00+03:00"><at:comment>Материал отозван по юридическим причинам: удалите все его копии.</at:comment></at:deleted-entry>',
    )
    expect(atom).toContain('<at:comment>Материал снят с публикации.</at:comment>')
    expect(atom).toContain('<at:comment>Материал временно снят до исправления.</at:comment>')
    const json = JSON.parse(textOf('full', 'json')) as { _silkfeed: { deleted: unknown[] } }
    expect(json._silkfeed.deleted).toEqual([
      {
        id: 'tag:silkfeed.dev,2026:article/sco-killed/ru',
        when: '2026-12-04T10:00:00+03:00',
        reason: 'kill',
      },
      {
        id: 'tag:silkfeed.dev,2026:article/sco-withdrawn/ru',
        when: '2026-12-04T11:00:00+03:00',
        reason: 'withdrawn',
      },
      {
        id: 'tag:silkfeed.dev,2026:article/sco-held/ru',
        when: '2026-12-04T12:00:00+03:00',
        reason: 'correction-pending',
      },
    ])
  })
})

describe('partner audiences pass the checkers', () => {
  let validate: ValidateFunction

  beforeAll(() => {
    validate = compileJsonFeed11Validator()
  })

  it('are 4 audiences × 3 formats', () => {
    expect(files).toHaveLength(12)
  })

  it('are well-formed XML (xmllint) and valid Atom (jing: RELAX NG and Schematron)', async () => {
    const xml = files.filter((f) => f.format !== 'json').map((f) => f.path)
    const atom = files.filter((f) => f.format === 'atom').map((f) => f.path)
    expect(await xmlAndAtomComplaints(xml, atom)).toBe('')
  })

  it('validate against the JSON Feed 1.1 schema', () => {
    for (const file of files.filter((f) => f.format === 'json')) {
      validate(JSON.parse(file.text))
      expect({ file: file.path, errors: validate.errors ?? [] }).toEqual({ file: file.path, errors: [] })
    }
  })

  it('parse cleanly in Python feedparser (bozo 0, RSS and Atom), every entry with its id', async () => {
    const python = requirePythonWithFeedparser()
    const xml = files.filter((f) => f.format !== 'json').map((f) => f.path)
    const result = await run(python, [HELPER, ...xml])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as {
      feeds: { file: string; bozo: number; bozo_exception: string | null; entries: { id: string }[] }[]
    }
    for (const feed of report.feeds) {
      expect({ file: feed.file, bozo: feed.bozo, exception: feed.bozo_exception }).toEqual({
        file: feed.file,
        bozo: 0,
        exception: null,
      })
      const audience = files.find((f) => f.path === feed.file)!.audience
      expect(feed.entries.some((e) => e.id === embargoedId)).toBe(audienceOf(audience).embargoed)
    }
  })
})
