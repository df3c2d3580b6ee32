import { recordJson } from '../domain/version.ts'
import type { FeedSnapshot } from '../domain/feed-snapshot.ts'
import type { Locale } from '../domain/locale.ts'
import type { Bytes, ObjectStore, PutCondition } from '../ports/object-store.ts'
import { KEYS } from './storage-keys.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** A feed's stored snapshot in one locale, or null when there is none or it cannot be decoded. */
export async function readSnapshot(
  store: ObjectStore,
  feedId: string,
  locale: Locale,
): Promise<FeedSnapshot | null> {
  const object = await store.get(KEYS.snapshot(feedId, locale))
  return object ? decodeSnapshot(object.body) : null
}

/** A snapshot from its stored bytes; null when they are not one (garbage, truncated, another shape). */
export function decodeSnapshot(bytes: Bytes): FeedSnapshot | null {
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(bytes))
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const s = value as Record<string, unknown>
  const strings = (list: unknown) => Array.isArray(list) && list.every((x) => typeof x === 'string')
  const valid =
    Array.isArray(s.items) &&
    s.items.every(isStoredItem) &&
    Array.isArray(s.tombstones) &&
    s.tombstones.every((t) => isObject(t) && typeof t.id === 'string' && typeof t.at === 'string') &&
    strings(s.applied) &&
    typeof s.complete === 'boolean' &&
    Number.isFinite(s.listedAt)
  return valid ? (value as FeedSnapshot) : null
}

/** Enough of a record to order and render it; the records were validated when they were stored. */
function isStoredItem(item: unknown): boolean {
  return (
    isObject(item) &&
    typeof item.id === 'string' &&
    typeof item.locale === 'string' &&
    typeof item.title === 'string' &&
    typeof item.url === 'string' &&
    typeof item.publishedAt === 'string' &&
    Array.isArray(item.sections)
  )
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/**
 * Stores a snapshot: JSON.stringify(snapshot), with each record's JSON made once (most are the last
 * one's); with a condition, only over the version it names (see ObjectStore.put).
 */
export async function writeSnapshot(
  store: ObjectStore,
  feedId: string,
  locale: Locale,
  snapshot: FeedSnapshot,
  condition?: PutCondition,
): Promise<{ etag: string }> {
  const { items, ...rest } = snapshot
  const others = JSON.stringify(rest)
  const members = others === '{}' ? '' : `,${others.slice(1, -1)}`
  const json = `{"items":[${items.map(recordJson).join(',')}]${members}}`
  return store.put(
    KEYS.snapshot(feedId, locale),
    encoder.encode(json),
    { contentType: 'application/json; charset=utf-8' },
    condition,
  )
}
