import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArticleSchema, type Article } from '../../src/domain/article.ts'
import { problemsFromZod } from '../../src/domain/problem.ts'
import { problemMessage } from '../../src/i18n/translator.ts'
import { renderFeedFormats } from '../../src/services/render-feed.ts'
import { compileJsonFeed11Validator } from '../conformance/json-feed-validator.ts'
import { readRfc822 } from '../conformance/rfc822.ts'
import { requireTool, run, schemaPath, withoutJingNoise } from '../conformance/tools.ts'
import { loadCatalog, TEST_SETTINGS } from '../support/samples.ts'

// "Any record the schema accepts gives valid feeds in every format", and "text XML cannot carry is
// rejected with its path". Deterministic: a fixed seed, so a failure reproduces.
const RUNS = 200
const SEED = 20261124

// ── Text that breaks naive renderers ────────────────────────────────────────────────────────────
const NASTY = [
  ']]>',
  '<![CDATA[',
  '&',
  '&amp;',
  '&lt;',
  '&#13;',
  '&nbsp;',
  '<',
  '>',
  '"',
  "'",
  '<p>',
  '</title>',
  '<!--',
  '-->',
  '😀',
  '👩🏽‍💻',
  '🇺🇿',
  'e\u0301',
  'о\u0306',
  'Z\u0351\u0362\u0353',
  'شۇنداق',
  'עברית',
  '\u200F',
  '\u202E',
  '\u2066',
  '\u00A0',
  '\u202F',
  '\u2028',
  '\u0085',
  '\uFEFF',
  '\uFDD0',
  '\t',
  '\n',
  '\r',
  '\r\n',
  ' ',
  '  ',
  'oʻzbek',
  'Қазақ',
  '上合',
  'ё',
  '%20',
  '$&',
  '{{year}}',
]

/** Characters outside XML 1.0's Char production (test-local; does not reuse src/domain/xml-text.ts). */
const NON_XML =
  // eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Plain text of `min`–`max` UTF-16 units, mixing nasty pieces with arbitrary code points. */
function text(min: number, max: number): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }).map((s) => s.replace(NON_XML, '')) },
  )
  // Each piece is at most 12 units long, so `maxPieces` pieces fit in `max` without cutting a pair.
  const maxPieces = Math.max(1, Math.floor(max / 12))
  return fc
    .array(piece, { minLength: 1, maxLength: Math.min(maxPieces, 30) })
    .map((pieces) => pieces.join(''))
    .filter((s) => s.length >= min && s.length <= max)
}

/** Absolute http(s) URLs, sometimes with characters that need percent-encoding. */
const url = fc
  .tuple(
    fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true }),
    fc.constantFrom('', '/a b', '/"q"', '/<x>', '/ü/上合', "/it's", '/a&b', '/%E2%9C%93'),
  )
  .map(([base, suffix]) => (suffix === '' ? base : `${base.replace(/[?#].*$/, '')}${suffix}`))

const OFFSETS = ['Z', '+00:00', '+08:00', '+05:00', '+03:00', '-12:00', '+14:00', '+05:45', '-03:30']

/** An RFC 3339 string for an instant, written in a given offset, sometimes with fractions. */
function rfc3339(instant: number, offset: string, fraction: boolean): string {
  const minutes =
    offset === 'Z'
      ? 0
      : (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4)))
  const local = new Date(instant + minutes * 60_000).toISOString() // YYYY-MM-DDTHH:MM:SS.sssZ
  return `${fraction ? local.slice(0, 23) : local.slice(0, 19)}${offset}`
}

const dates = fc
  .record({
    published: fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2099, 0, 1) }),
    delay: fc.option(fc.integer({ min: 0, max: 5 * 365 * 86_400_000 }), { nil: undefined }),
    offset: fc.constantFrom(...OFFSETS),
    updateOffset: fc.constantFrom(...OFFSETS),
    fraction: fc.boolean(),
  })
  .map(({ published, delay, offset, updateOffset, fraction }) => ({
    publishedAt: rfc3339(published, offset, fraction),
    ...(delay === undefined ? {} : { updatedAt: rfc3339(published + delay, updateOffset, fraction) }),
  }))

const slug = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,15}$/)

const record = fc
  .tuple(
    fc.record(
      {
        id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$/),
        locale: fc.constantFrom('zh', 'ru', 'kk', 'uz'),
        title: text(1, 500),
        summary: text(1, 600),
        contentHtml: text(1, 2000),
        url,
        authors: fc.array(fc.record({ name: text(1, 200), url }, { requiredKeys: ['name'] }), {
          maxLength: 3,
        }),
        source: fc.record({ name: text(1, 200), url }, { requiredKeys: ['name'] }),
        sections: fc.array(slug, { minLength: 1, maxLength: 3 }),
        // Duplicates on purpose: a tag may repeat, or equal a section's label.
        tags: fc.array(fc.oneof(text(1, 100), fc.constantFrom('上合合作', 'Iqtisodiyot', 'ШОС')), {
          maxLength: 5,
        }),
        image: fc.record(
          {
            url,
            type: fc.constantFrom('image/jpeg', 'image/png', 'image/webp', 'image/svg+xml'),
            length: fc.integer({ min: 1, max: 50_000_000 }),
            width: fc.integer({ min: 1, max: 10_000 }),
            height: fc.integer({ min: 1, max: 10_000 }),
            caption: text(1, 1000),
            credit: text(1, 200),
          },
          { requiredKeys: ['url'] },
        ),
      },
      { requiredKeys: ['id', 'locale', 'title', 'url', 'sections'] },
    ),
    dates,
  )
  .map(([fields, when]) => ({ ...fields, ...when }))

// ── Independent readers ─────────────────────────────────────────────────────────────────────────
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- numeric character references need it; its successor (entityDecoder) would have us write the decoder
  htmlEntities: true,
  alwaysCreateTextNode: true,
  isArray: (name) => ['item', 'entry', 'link', 'category'].includes(name),
})
type Node = Record<string, unknown>
const textOf = (node: unknown) => ((node as Node | undefined)?.['#text'] as string | undefined) ?? ''
const attr = (node: unknown, name: string) => (node as Node)[`@_${name}`] as string | undefined

const definition = loadCatalog().find('latest')!
const validateJsonFeed = compileJsonFeed11Validator()
const decoder = new TextDecoder()

// Every XML document the first property renders, checked in one batch by xmllint and jing after it.
let outDir: string
const written: { file: string; article: Article }[] = []

beforeAll(() => {
  requireTool('xmllint', 'libxml2-utils')
  requireTool('jing', 'jing', [])
  outDir = mkdtempSync(join(tmpdir(), 'silkfeed-property-'))
})

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true })
})

describe('any record the schema accepts', () => {
  it('gives RSS and Atom well-formed (by xmllint too, Atom valid by jing) and valid JSON Feed, read back with the same title and link', async () => {
    await fc.assert(
      fc.asyncProperty(record, async (raw) => {
        const parsed = ArticleSchema.safeParse(raw)
        // These records are valid by construction: a rejection here is a schema bug.
        if (!parsed.success) throw new Error(`rejected: ${JSON.stringify(problemsFromZod(parsed.error))}`)
        const article = parsed.data
        const rendered = await renderFeedFormats({
          definition,
          locale: article.locale,
          articles: [article],
          settings: TEST_SETTINGS,
        })
        const [rss, atom, json] = (['rss', 'atom', 'json'] as const).map((format) =>
          decoder.decode(rendered.find((r) => r.format === format)!.body),
        )

        for (const [name, doc] of [
          ['rss', rss!],
          ['atom', atom!],
        ] as const) {
          expect(doc.match(NON_XML), `${name} carries characters XML cannot`).toBeNull()
          // eslint-disable-next-line @typescript-eslint/no-deprecated -- its successor is a separate package; this one still validates
          expect(XMLValidator.validate(doc), `${name} is well-formed`).toBe(true)
          const file = join(outDir, `${written.length}.${name}.xml`)
          writeFileSync(file, doc)
          written.push({ file, article })
        }

        const item = ((xml.parse(rss!) as Node).rss as Node & { channel: { item: Node[] } }).channel.item
        expect(item).toHaveLength(1)
        expect(textOf(item[0]!.title)).toBe(article.title)
        expect(textOf((item[0]!.link as Node[])[0])).toBe(article.url)
        if (article.summary !== undefined) expect(textOf(item[0]!.description)).toBe(article.summary)

        const entry = ((xml.parse(atom!) as Node).feed as { entry: Node[] }).entry
        expect(entry).toHaveLength(1)
        expect(textOf(entry[0]!.title)).toBe(article.title)
        const links = entry[0]!.link as Node[]
        expect(links.filter((l) => attr(l, 'rel') === 'alternate').map((l) => attr(l, 'href'))).toEqual([
          article.url,
        ])
        expect(Math.floor(Date.parse(textOf(entry[0]!.published)) / 1000)).toBe(
          Math.floor(Date.parse(article.publishedAt) / 1000),
        )
        // Attribute values survive too (tabs and line breaks included).
        const terms = ((entry[0]!.category as Node[] | undefined) ?? []).filter((c) => !attr(c, 'scheme'))
        expect(terms.map((c) => attr(c, 'term'))).toEqual(article.tags ?? [])
        if (article.image?.caption !== undefined) {
          expect(links.find((l) => attr(l, 'rel') === 'enclosure')?.['@_title']).toBe(article.image.caption)
        }

        const document = JSON.parse(json!) as { items: { title: string; url: string }[] }
        expect(document.items.map((i) => [i.title, i.url])).toEqual([[article.title, article.url]])
        if (!validateJsonFeed(document))
          throw new Error(`JSON Feed 1.1 schema: ${JSON.stringify(validateJsonFeed.errors)}`)
      }),
      { numRuns: RUNS, seed: SEED },
    )
    // Every XML document rendered above, checked in one batch by xmllint and jing: within this
    // test, so that no other test has to run before it.
    expect(written.length).toBe(2 * RUNS)
    const describeFailure = (output: string) =>
      written
        .filter((w) => output.includes(w.file))
        .slice(0, 3)
        .map((w) => `${w.file}: ${JSON.stringify(w.article)}`)
        .join('\n')
    const atomFiles = written.filter((w) => w.file.endsWith('.atom.xml')).map((w) => w.file)
    const [lint, jing] = await Promise.all([
      run('xmllint', ['--noout', ...written.map((w) => w.file)]),
      run('jing', [schemaPath('atom.rng'), ...atomFiles]),
    ])
    expect(lint.stderr, describeFailure(lint.stderr)).toBe('')
    expect(lint.code).toBe(0)
    const jingOutput = withoutJingNoise(jing.stdout + jing.stderr)
    expect(jingOutput, describeFailure(jingOutput)).toBe('')
    expect(jing.code).toBe(0)
  })
})

// ── Dates at the edges ──────────────────────────────────────────────────────────────────────────
const pad = (n: number, width = 2) => String(n).padStart(width, '0')
const edgeDate = fc
  .record({
    year: fc.oneof(
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 9998, max: 9999 }),
      fc.integer({ min: 0, max: 9999 }),
    ),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.oneof(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 27, max: 28 })),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    offset: fc.constantFrom('Z', '+00:00', '+14:00', '-12:00', '+23:59', '-23:59', '+05:30'),
  })
  .map(
    (d) =>
      `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}T${pad(d.hour)}:${pad(d.minute)}:${pad(d.second)}${d.offset}`,
  )

describe('any publication date the schema accepts', () => {
  it('is written as the same instant in RSS, Atom and JSON Feed, with four-digit years', async () => {
    const clearlyFine = [Date.parse('0002-01-01T00:00:00Z'), Date.parse('9999-01-01T00:00:00Z')] as const
    await fc.assert(
      fc.asyncProperty(edgeDate, fc.constantFrom('zh', 'ru', 'kk', 'uz'), async (publishedAt, locale) => {
        const instant = Date.parse(publishedAt)
        const raw = {
          id: 'edge',
          locale,
          title: 'T',
          url: 'https://news.test/a',
          publishedAt,
          sections: ['s'],
        }
        const parsed = ArticleSchema.safeParse(raw)
        if (!parsed.success) {
          expect(
            instant < clearlyFine[0] || instant > clearlyFine[1],
            `${publishedAt} should be accepted`,
          ).toBe(true)
          expect(
            problemsFromZod(parsed.error).map((p) => ({ path: p.path, message: problemMessage(p, 'en') })),
          ).toEqual([{ path: '$.publishedAt', message: expect.stringMatching(/must lie between/) }])
          return
        }
        const rendered = await renderFeedFormats({
          definition,
          locale,
          articles: [parsed.data],
          settings: TEST_SETTINGS,
        })
        const [rss, atom, json] = rendered.map((r) => decoder.decode(r.body))
        const second = Math.floor(instant / 1000) * 1000
        const atomDate = /<published>([^<]*)<\/published>/.exec(atom!)![1]!
        expect(atomDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/)
        expect(Date.parse(atomDate)).toBe(second)
        const jsonDate = (JSON.parse(json!) as { items: { date_published: string }[] }).items[0]!
          .date_published
        expect(jsonDate).toBe(atomDate)
        expect(readRfc822(/<pubDate>([^<]*)<\/pubDate>/.exec(rss!)![1]!)).toEqual({ instant: second })
      }),
      { numRuns: RUNS, seed: SEED },
    )
  })
})

// ── Text XML cannot carry ───────────────────────────────────────────────────────────────────────
const BAD_CHARS = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000B',
  '\u000C',
  '\u000E',
  '\u001B',
  '\u001F',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uFFFE',
  '\uFFFF',
]

/** Where a bad character can go in a record, as a JSON path and a setter. */
const FIELDS: { path: string; inject: (r: Record<string, any>, bad: (s: string) => string) => void }[] = [
  { path: '$.title', inject: (r, bad) => (r.title = bad(r.title)) },
  { path: '$.summary', inject: (r, bad) => (r.summary = bad(r.summary ?? 'x')) },
  { path: '$.contentHtml', inject: (r, bad) => (r.contentHtml = bad(r.contentHtml ?? '<p>x</p>')) },
  {
    path: '$.authors[0].name',
    inject: (r, bad) => (r.authors = [{ name: bad(r.authors?.[0]?.name ?? 'x') }]),
  },
  { path: '$.source.name', inject: (r, bad) => (r.source = { name: bad(r.source?.name ?? 'x') }) },
  { path: '$.tags[0]', inject: (r, bad) => (r.tags = [bad(r.tags?.[0] ?? 'x')]) },
  {
    path: '$.image.caption',
    inject: (r, bad) => (r.image = { url: 'https://m.test/a.jpg', caption: bad('x') }),
  },
  {
    path: '$.image.credit',
    inject: (r, bad) => (r.image = { url: 'https://m.test/a.jpg', credit: bad('x') }),
  },
  { path: '$.url', inject: (r, bad) => (r.url = `https://news.test/${bad('path')}`) },
]

describe('a record with text XML cannot carry', () => {
  it('is rejected with the path of the field that holds it', () => {
    fc.assert(
      fc.property(
        record,
        fc.constantFrom(...FIELDS),
        fc.constantFrom(...BAD_CHARS),
        fc.nat(),
        (raw, field, char, position) => {
          const candidate = structuredClone(raw) as Record<string, any>
          field.inject(candidate, (s) => {
            const at = position % (s.length + 1)
            return `${s.slice(0, at)}${char}${s.slice(at)}`
          })
          const result = ArticleSchema.safeParse(candidate)
          expect(result.success).toBe(false)
          const problems = problemsFromZod(result.error!).filter((p) => p.path === field.path)
          expect(problems.length, `a problem at ${field.path}`).toBeGreaterThan(0)
          const message =
            field.path === '$.url'
              ? /XML 1\.0 cannot carry|absolute URL/
              : /U\+[0-9A-F]{4} at index \d+, which XML 1\.0 cannot carry/
          expect(problems.map((p) => problemMessage(p, 'en')).join('\n')).toMatch(message)
        },
      ),
      { numRuns: RUNS, seed: SEED },
    )
  })
})
