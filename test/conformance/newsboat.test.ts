import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectedItemId, expectedOrder, writeSampleFeeds, type SampleFeed } from './sample-feeds.ts'
import { requirePythonWithFeedparser, requireTool, run } from './tools.ts'

// newsboat reads file:// URLs through libcurl, so no HTTP server is needed. `-x reload` fetches every
// URL non-interactively and exits; the SQLite cache then holds exactly what a reader would show.

const CACHE_READER = fileURLToPath(new URL('./newsboat-cache.py', import.meta.url))

interface NewsboatCache {
  feeds: { rssurl: string; title: string }[]
  items: { feedurl: string; guid: string; title: string; url: string; pubDate: number; author: string }[]
}

let sample: Awaited<ReturnType<typeof writeSampleFeeds>>
const cache: NewsboatCache = { feeds: [], items: [] }
const errors: string[] = []
const urlOf = (feed: SampleFeed & { path: string }) => pathToFileURL(feed.path).href

/**
 * One newsboat run over some feeds, with its own cache. newsboat keys articles by guid across all
 * feeds of a cache, and the same story rightly keeps its id in `latest` and `sco` (and in RSS and
 * Atom), so each run gets the feeds of one feed id and format: four locales, no shared ids.
 */
async function reload(name: string, feeds: (SampleFeed & { path: string })[], python: string): Promise<void> {
  const dir = join(sample.dir, `newsboat-${name}`)
  mkdirSync(dir)
  const [urls, config, cacheFile, errorLog] = ['urls', 'config', 'cache.db', 'error.log'].map((f) =>
    join(dir, f),
  )
  writeFileSync(urls!, feeds.map((feed) => `${urlOf(feed)}\n`).join(''))
  writeFileSync(config!, `error-log "${errorLog}"\n`)
  // A private HOME keeps newsboat away from the user's own ~/.newsboat and XDG directories.
  const env = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, LANG: 'C.UTF-8' }
  const result = await run('newsboat', ['-u', urls!, '-c', cacheFile!, '-C', config!, '-x', 'reload'], {
    env,
    timeoutMs: 30_000,
  })
  if (result.code !== 0) throw new Error(`newsboat -x reload failed (${result.code}):\n${result.stderr}`)
  if (existsSync(errorLog!)) errors.push(...readFileSync(errorLog!, 'utf8').split('\n').filter(Boolean))
  if (!existsSync(cacheFile!)) return
  const read = await run(python, [CACHE_READER, cacheFile!])
  if (read.code !== 0) throw new Error(`newsboat-cache.py failed (${read.code}):\n${read.stderr}`)
  const found = JSON.parse(read.stdout) as NewsboatCache
  cache.feeds.push(...found.feeds)
  cache.items.push(...found.items)
}

beforeAll(async () => {
  requireTool('newsboat', 'newsboat', ['--version'])
  const python = requirePythonWithFeedparser()
  sample = await writeSampleFeeds()
  const groups = new Map<string, (SampleFeed & { path: string })[]>()
  for (const feed of sample.feeds) {
    const key = `${feed.feedId}-${feed.format}`
    groups.set(key, [...(groups.get(key) ?? []), feed])
  }
  await Promise.all([...groups].map(([name, feeds]) => reload(name, feeds, python)))
})

afterAll(() => sample.remove())

describe('newsboat', () => {
  it('loads every RSS and Atom feed without an error, with all items intact', () => {
    const xmlFeeds = sample.feeds.filter((f) => f.format !== 'json')
    expect(xmlFeeds).toHaveLength(42)
    for (const feed of xmlFeeds) {
      const url = urlOf(feed)
      expect(errors.filter((line) => line.includes(url))).toEqual([])
      expect(cache.feeds.find((f) => f.rssurl === url)?.title, feed.fileName).toBeTruthy()
      const items = cache.items.filter((item) => item.feedurl === url)
      expect(items.map(({ guid, title, url: link, pubDate }) => ({ guid, title, link, pubDate }))).toEqual(
        expectedOrder(feed).map((a) => ({
          guid: expectedItemId(a),
          title: a.title,
          link: a.url,
          pubDate: Date.parse(a.publishedAt) / 1000,
        })),
      )
      // Names come through dc:creator (RSS) and atom:author (Atom).
      for (const item of items) expect(item.author).not.toBe('')
    }
  })

  it('loads every JSON Feed, or reports only "could not parse file" where it has no JSON Feed parser', () => {
    // newsboat 2.21 (Debian 12) reads RSS 0.9x/1.0/2.0 and Atom only; JSON Feed is checked if it can.
    for (const feed of sample.feeds.filter((f) => f.format === 'json')) {
      const url = urlOf(feed)
      const problems = errors.filter((line) => line.includes(url))
      if (problems.length > 0) {
        expect(problems, feed.fileName).toEqual([expect.stringMatching(/could not parse file$/)])
        continue
      }
      expect(cache.items.filter((item) => item.feedurl === url).map((item) => item.guid)).toEqual(
        expectedOrder(feed).map(expectedItemId),
      )
    }
  })

  it('logged nothing but those', () => {
    const unexpected = errors.filter((line) => !/\.json: could not parse file$/.test(line))
    expect(unexpected).toEqual([])
  })
})
