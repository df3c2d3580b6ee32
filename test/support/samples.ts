import { fileURLToPath } from 'node:url'
import type { Article } from '../../src/domain/article.ts'
import { parseFeedCatalog, type FeedCatalog } from '../../src/domain/feed-definition.ts'
import { readJsonDirectory } from '../../src/platform/node-files.ts'
import { parseSampleFiles } from '../../src/services/seed.ts'
import { expandRecords } from '../../src/domain/derive.ts'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The sample articles shipped in samples/articles, validated. */
export function loadSamples(): Article[] {
  return parseSampleFiles(readJsonDirectory(ROOT, 'samples/articles'))
}

/** The samples as ingest stores them: normalized, plus the script variants derived from them. */
export function loadStoredSamples(): Article[] {
  return expandRecords(loadSamples())
}

/** The feed catalogue from feeds/*.json on disk. */
export function loadCatalog(): FeedCatalog {
  return parseFeedCatalog(readJsonDirectory(ROOT, 'feeds'))
}

/** Publication settings used by golden files and conformance tests. */
export const TEST_SETTINGS = {
  publicBaseUrl: 'https://feeds.silkfeed.test',
  idAuthority: 'silkfeed.dev,2026',
}

/** The catalogue from feeds/*.json with every feed's window cut to `limit`: the samples then have archives. */
export function catalogWithLimit(limit: number): FeedCatalog {
  const files = readJsonDirectory(ROOT, 'feeds') as Record<string, Record<string, unknown>>
  return parseFeedCatalog(
    Object.fromEntries(Object.entries(files).map(([file, definition]) => [file, { ...definition, limit }])),
  )
}
