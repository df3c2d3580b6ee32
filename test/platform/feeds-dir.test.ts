import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseFeedCatalog } from '../../src/domain/feed-definition.ts'
import { parseConfig } from '../../src/platform/config.ts'
import { readJsonDirectory } from '../../src/platform/node-files.ts'
import { ROOT } from '../support/samples.ts'

describe('FEEDS_DIR', () => {
  it('defaults to the feeds/ of the project', () => {
    expect(parseConfig({}).feedsDir).toBe('feeds')
    const catalog = parseFeedCatalog(readJsonDirectory(ROOT, parseConfig({}).feedsDir))
    expect(catalog.ids.sort()).toEqual(['latest', 'sco', 'summaries', 'wire'])
  })

  it('reads feed definitions from another directory, absolute or relative to the root', () => {
    const directory = mkdtempSync(join(tmpdir(), 'silkfeed-feeds-'))
    try {
      writeFileSync(
        join(directory, 'wire.json'),
        JSON.stringify({
          id: 'wire',
          sections: 'all',
          locales: ['ru'],
          limit: 10,
          cache: { maxAge: 60, staleWhileRevalidate: 60, staleIfError: 60 },
        }),
      )
      const { feedsDir } = parseConfig({ FEEDS_DIR: directory })
      expect(parseFeedCatalog(readJsonDirectory(ROOT, feedsDir)).ids).toEqual(['wire'])
      expect(parseFeedCatalog(readJsonDirectory(directory, '.')).ids).toEqual(['wire'])
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  })
})
