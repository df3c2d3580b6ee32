import latest from '../../feeds/latest.json' with { type: 'json' }
import sco from '../../feeds/sco.json' with { type: 'json' }
import summaries from '../../feeds/summaries.json' with { type: 'json' }
import wire from '../../feeds/wire.json' with { type: 'json' }
import { parseFeedCatalog, type FeedCatalog } from '../domain/feed-definition.ts'

/** The feed definitions bundled into the Worker (which has no filesystem); a test keeps this list in step with feeds/. */
export const BUNDLED_FEED_FILES: Record<string, unknown> = {
  'feeds/latest.json': latest,
  'feeds/sco.json': sco,
  'feeds/summaries.json': summaries,
  'feeds/wire.json': wire,
}

export function bundledCatalog(): FeedCatalog {
  return parseFeedCatalog(BUNDLED_FEED_FILES)
}
