// Renders the sample stories with the `feed` package and with Silkfeed's own renderer, then runs the
// project's conformance tools over both (decision 0001). `feed` is not a dependency: install it in a
// scratch folder and pass that folder:
//   mkdir -p /tmp/feedpkg && npm install --prefix /tmp/feedpkg --no-save feed@6.0.0
//   npx tsx docs/decisions/0001-measure-feed.mts /tmp/feedpkg
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ArticleSchema } from '../../src/domain/article.ts'
import { renderFeedFormats } from '../../src/services/render-feed.ts'
import { compileJsonFeed11Validator } from '../../test/conformance/json-feed-validator.ts'
import { loadCatalog, loadStoredSamples, TEST_SETTINGS } from '../../test/support/samples.ts'

const scratch = process.argv[2]
if (!scratch)
  throw new Error('usage: npx tsx docs/decisions/0001-measure-feed.mts <folder where feed is installed>')
const { Feed } = (await import(
  pathToFileURL(join(scratch, 'node_modules', 'feed', 'lib', 'feed.js')).href
)) as typeof import('feed')
const REPO = fileURLToPath(new URL('../..', import.meta.url))
const OUT = join(scratch, 'out')
mkdirSync(OUT, { recursive: true })
const locales = JSON.parse(readFileSync(join(REPO, 'locales/ru/feeds.json'), 'utf8'))
const stories = loadStoredSamples().filter((a) => a.locale === 'ru' && a.sections.includes('sco'))
const base = TEST_SETTINGS.publicBaseUrl

// One representative edge story beside the samples: a vertical tab pasted from a word processor
// into the title, and no summary (the record allows it).
const edge = { ...stories[0]!, id: 'edge-story', title: `Заголовок\u000Bиз Word`, summary: undefined }

function renderWithFeedPackage(
  items: typeof stories,
  description: string | null = locales.feeds.sco.description,
) {
  const feed = new Feed({
    id: `${base}/ru/sco.atom`,
    title: locales.feeds.sco.title,
    description: description ?? undefined,
    link: `${base}/ru/`,
    language: 'ru',
    updated: new Date('2022-11-07T10:00:00Z'),
    copyright: '© Silkfeed',
    generator: false,
    feedLinks: { atom: `${base}/ru/sco.atom`, rss: `${base}/ru/sco.rss`, json: `${base}/ru/sco.json` },
  })
  for (const a of items) {
    feed.addItem({
      id: `tag:${TEST_SETTINGS.idAuthority}:article/${a.id}/ru`,
      title: a.title,
      link: a.url,
      date: new Date(a.updatedAt ?? a.publishedAt),
      published: new Date(a.publishedAt),
      description: a.summary,
      content: a.contentHtml,
      author: a.authors?.map((p) => ({ name: p.name, link: p.url })),
      category: a.tags?.map((t) => ({ name: t, term: t })),
      image: a.image ? { url: a.image.url, type: a.image.type, length: a.image.length } : undefined,
    })
  }
  return { rss: feed.rss2(), atom: feed.atom1(), json: feed.json1() }
}

function tool(command: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(command, args, { encoding: 'utf8' })
  const out = `${r.stdout}${r.stderr}`
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('[warning] /usr/bin/jing'))
    .join('\n')
  return { ok: r.status === 0, out }
}

function feedparser(path: string): { bozo: number; exception: string | null; language: string | null } {
  const out = execFileSync('/usr/bin/python3', [join(REPO, 'test/conformance/feedparser-check.py'), path], {
    encoding: 'utf8',
  })
  const [d] = (
    JSON.parse(out) as {
      feeds: { bozo: number; bozo_exception: string | null; feed: { language: string | null } }[]
    }
  ).feeds
  return { bozo: d!.bozo, exception: d!.bozo_exception, language: d!.feed.language }
}

const validateJson = compileJsonFeed11Validator()
const clip = (s: string) => s.replace(/\s+/g, ' ').slice(0, 240)

function check(label: string, out: { rss: string; atom: string; json: string }) {
  console.log(`\n### ${label}`)
  const files = {
    rss: join(OUT, `${label}.rss.xml`),
    atom: join(OUT, `${label}.atom.xml`),
    json: join(OUT, `${label}.json`),
  }
  writeFileSync(files.rss, out.rss)
  writeFileSync(files.atom, out.atom)
  writeFileSync(files.json, out.json)
  for (const f of [files.rss, files.atom]) {
    const x = tool('xmllint', ['--noout', f])
    console.log(`xmllint ${f.split('/').pop()}: ${x.ok ? 'well-formed' : `NOT well-formed: ${clip(x.out)}`}`)
  }
  const rng = tool('jing', [join(REPO, 'test/conformance/schemas/atom.rng'), files.atom])
  console.log(`jing atom.rng: ${rng.ok ? 'valid' : `INVALID: ${clip(rng.out)}`}`)
  const sch = tool('jing', [join(REPO, 'test/conformance/schemas/atom-rules.sch'), files.atom])
  console.log(`jing atom-rules.sch: ${sch.ok ? 'valid' : `INVALID: ${clip(sch.out)}`}`)
  let json: { version?: string; language?: string } = {}
  try {
    json = JSON.parse(out.json)
    const ok = validateJson(json)
    console.log(
      `JSON Feed 1.1 schema: ${ok ? 'valid' : `INVALID: ${clip(JSON.stringify(validateJson.errors?.slice(0, 3)))}`}`,
    )
  } catch (e) {
    console.log(`JSON: not parseable: ${String(e)}`)
  }
  const items = (json as { items?: Record<string, unknown>[] }).items ?? []
  console.log(
    `JSON version: ${json.version}; language: ${json.language ?? '(none)'}; item author keys: ${[...new Set(items.flatMap((i) => Object.keys(i).filter((k) => k.startsWith('author'))))].join(',') || '(none)'}`,
  )
  for (const f of [files.rss, files.atom]) {
    const p = feedparser(f)
    console.log(
      `feedparser ${f.split('/').pop()}: bozo=${p.bozo}${p.exception ? ` (${clip(p.exception)})` : ''}; language=${p.language}`,
    )
  }
  const atomRoot = /<feed[^>]*>/.exec(out.atom)?.[0] ?? ''
  console.log(`Atom <feed> xml:lang: ${/xml:lang=/.test(atomRoot) ? 'yes' : 'NO'}`)
  const authors = [...out.rss.matchAll(/<author>([\s\S]*?)<\/author>/g)].map((m) => m[1]!)
  console.log(
    `RSS <author> values: ${authors.length ? [...new Set(authors)].slice(0, 3).join(' | ') : '(none)'}`,
  )
  const dcCreators = (out.rss.match(/<dc:creator>/g) ?? []).length
  console.log(`RSS <dc:creator>: ${dcCreators}`)
  const empty = (
    out.rss.match(/<description>\s*(<!\[CDATA\[\s*\]\]>)?\s*<\/description>|<description\/>/g) ?? []
  ).length
  console.log(`RSS empty <description>: ${empty}`)
  const enclosureTypes = [...out.atom.matchAll(/<link rel="enclosure"[^>]*type="([^"]*)"/g)].map((m) => m[1])
  console.log(
    `Atom enclosure types: ${[...new Set(enclosureTypes)].join(', ') || '(none)'} (records say image/jpeg)`,
  )
  const titleTypes = [...out.atom.matchAll(/<title type="([^"]*)"/g)].map((m) => m[1])
  console.log(`Atom entry <title> types: ${[...new Set(titleTypes)].join(', ') || 'text (default)'}`)
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  const ctl = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(out.rss + out.atom)
  console.log(`control characters in XML output: ${ctl ? 'YES' : 'no'}`)
}

console.log(`inputs: ${stories.length} ru stories of the sco feed (samples/articles), plus one edge story`)
check('feed-6.0.0.samples', renderWithFeedPackage(stories))
check('feed-6.0.0.edge', renderWithFeedPackage([edge, ...stories]))
check('feed-6.0.0.no-description', renderWithFeedPackage(stories, null))

const decoder = new TextDecoder()
const ours = await renderFeedFormats({
  definition: loadCatalog().find('sco')!,
  locale: 'ru',
  articles: stories,
  settings: TEST_SETTINGS,
})
const text = (f: string) => decoder.decode(ours.find((r) => r.format === f)!.body)
check('silkfeed.samples', { rss: text('rss'), atom: text('atom'), json: text('json') })

const { id: _, locale: __, ...rest } = edge
const parsed = ArticleSchema.safeParse({ ...rest, id: 'edge-story', locale: 'ru', updatedAt: undefined })
console.log(
  `\nsilkfeed on the edge story: ${parsed.success ? 'ACCEPTED' : `rejected at ingest: ${clip(JSON.stringify(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)))}`}`,
)
