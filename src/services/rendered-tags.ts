import type { ObjectStore, StoredObject } from '../ports/object-store.ts'
import type { FeedBundle } from './feed-bundle.ts'

/** The user metadata a stored bundle carries its identity ETag in (the feed's own ETag). */
const FEED_ETAG = 'feed-etag'

/** What a stored bundle says of itself beside its bytes (S3 user metadata). */
export function bundleMetadata(bundle: FeedBundle): Record<string, string> {
  return {
    [FEED_ETAG]: bundle.variants.identity.etag,
    'last-modified': new Date(bundle.lastModified).toISOString(),
    'item-count': String(bundle.itemCount),
  }
}

/**
 * The bytes each stored rendering held (its identity ETag) as this process last wrote or read it, so
 * that a publish tells the renderings it changed from those it wrote again byte for byte: only a
 * changed feed is news to a WebSub hub. A feed rendered again for a story still under embargo (or a
 * translation of one) is the same feed to the public, and a ping would announce the held story.
 */
export class RenderedTags {
  readonly #tags = new Map<string, string>()
  /** Per feed, the tags at the start of its run (one run per feed at a time), and those read since. */
  readonly #before = new Map<string, Map<string, string>>()

  constructor(
    private readonly store: ObjectStore,
    /** Whether anyone hears of changes (WebSub hubs): else nothing is read to tell them. */
    private readonly announced: boolean,
  ) {}

  /** Learns what a stored rendering holds, as read (or written) by this process. */
  learn(key: string, stored: Pick<StoredObject, 'metadata'>): void {
    const tag = stored.metadata[FEED_ETAG]
    if (tag !== undefined) this.#tags.set(key, tag)
  }

  /** A feed's run begins: what its renderings held before it is what its bundles are compared with. */
  begin(feedId: string): void {
    this.#before.set(feedId, new Map(this.#tags))
  }

  /**
   * Marks a bundle about to be stored at `key` `unchanged` when it holds the bytes the rendering
   * held before its run. A rendering this process never saw is read once (its metadata) when anyone
   * is to hear of the change; unknown, it counts as changed.
   */
  async mark(key: string, bundle: FeedBundle): Promise<void> {
    let before = this.#before.get(bundle.feedId)
    if (!before) this.#before.set(bundle.feedId, (before = new Map<string, string>()))
    if (!before.has(key) && this.announced) {
      const held = (await this.store.get(key))?.metadata[FEED_ETAG]
      if (held !== undefined) before.set(key, held)
    }
    if (before.get(key) === bundle.variants.identity.etag) bundle.unchanged = true
  }
}
