import {
  entitlementsOf,
  formatKey,
  keyDigest,
  hexOf,
  KEY_BYTES,
  looksLikeKey,
  MAX_ACTIVE_KEYS,
  type Partner,
  type PartnerInput,
  type PartnerKey,
} from '../domain/partner.ts'
import { BoundedCache } from '../domain/bounded-cache.ts'
import type { FeedCatalog } from '../domain/feed-definition.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { KeyIndex, Authenticated, PartnerDefinition } from './partner-key-index.ts'
import { KeyListing, type KeyListingOptions } from './partner-key-listing.ts'
import { KEYS } from './storage-keys.ts'

export interface PartnerRegistryOptions extends KeyListingOptions {
  /** Cryptographically random bytes (crypto.getRandomValues). */
  randomBytes: (length: number) => Uint8Array
}

/**
 * How long the key index may stand in while storage fails: the shortest `stale-if-error` of the
 * catalogue's feeds, so a keyed feed is served for as long as any feed may be served stale.
 */
export function keyIndexStaleMs(catalog: FeedCatalog): number {
  return Math.min(...catalog.all.map((definition) => definition.cache.staleIfError)) * 1000
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const JSON_META = { contentType: 'application/json' }
/**
 * Partners and their keys, in the bucket so every instance and the Worker see the same ones: a
 * definition per partner, and an empty object per active key whose name carries the key's hash.
 * One listing therefore yields the whole key index, held in memory and relisted at most once per
 * `freshMs` (one listing at a time, whatever the traffic): a key is found without a storage request,
 * a key that was never issued costs none either, and a revocation reaches every instance within
 * `freshMs`. While storage fails, the last listing stands in for up to `staleIfErrorMs`
 * (`KeyListing`), so partners keep reading as the public does.
 */
export class PartnerRegistry {
  readonly #keys: KeyListing
  readonly #definitions = new Map<string, PartnerDefinition>()
  // The digests of keys that were active when last presented: the synchronous check finds them
  // without hashing again. Only keys found in the index are kept, so junk never fills it.
  readonly #digests = new BoundedCache<string, string>({ maxEntries: 1024 })

  constructor(
    private readonly store: ObjectStore,
    private readonly options: PartnerRegistryOptions,
  ) {
    this.#keys = new KeyListing(store, options)
  }

  /** The partner a key belongs to, or undefined for any key that is not active (never issued, revoked, rotated out, malformed). */
  async authenticate(key: string): Promise<Authenticated | undefined> {
    const hash = await keyDigest(key)
    // A string that is no key's shape is refused without the index: junk costs no storage request.
    // (Its shape is public: refusing it sooner tells a caller nothing about any real key.)
    if (!looksLikeKey(key)) return undefined
    let index = await this.#keys.current()
    // Found by its digest: how long the lookup takes depends on the digest, never on how much of a
    // real key a guess got right.
    let found = index.byHash.get(hash)
    // A key that a stand-in lacks may have been issued since it was listed: a listing decides.
    if (!found && this.#keys.isStandIn(index)) found = (index = await this.#keys.listed()).byHash.get(hash)
    if (!found) return undefined
    const definition = await this.#definition(found.partnerId)
    if (!definition) return undefined
    this.#digests.set(key, hash)
    return { partner: index.partnerOf(definition), keyId: found.key.keyId }
  }

  /**
   * The synchronous half of `authenticate`, for the hot path: an answer only for a key that was active
   * when last presented, while the key index is younger than `freshMs` (so a revocation still takes
   * effect within it); undefined otherwise, and then `authenticate` decides.
   */
  authenticateHot(key: string): Authenticated | undefined {
    const index = this.#keys.hot()
    return index && this.#authenticateIn(index, key)
  }

  /**
   * What the hot path `decide`s for a keyed path (`authenticated` finds the key in it), made once per
   * path and listing of the key index and forgotten with it; undefined while the index is older than
   * `freshMs`, as for `authenticateHot`. One caller per path: the partner front.
   */
  hotDecision<T extends object>(
    path: string,
    decide: (authenticated: (key: string) => Authenticated | undefined) => T | undefined,
  ): T | undefined {
    const index = this.#keys.hot()
    return index?.decision(path, () => decide((key) => this.#authenticateIn(index, key)))
  }

  #authenticateIn(index: KeyIndex, key: string): Authenticated | undefined {
    const hash = this.#digests.get(key)
    const found = hash === undefined ? undefined : index.byHash.get(hash)
    const definition = found && this.#definitions.get(found.partnerId)
    return definition && { partner: index.partnerOf(definition), keyId: found.key.keyId }
  }

  /** Creates a partner with one key; the key is returned here and never again. */
  async create(input: PartnerInput): Promise<{ partner: Partner; key: string }> {
    const id = `p-${hexOf(this.options.randomBytes(6))}`
    const definition: PartnerDefinition = {
      id,
      name: input.name,
      entitlements: entitlementsOf(input),
      createdAt: new Date(this.options.now()).toISOString(),
    }
    await this.store.put(KEYS.partner(id), encoder.encode(JSON.stringify(definition)), JSON_META)
    this.#definitions.set(id, definition)
    const { key, record } = await this.#addKey(id)
    return { partner: { ...definition, keys: [record] }, key }
  }

  /** Every partner, with its active keys (ids and dates only). */
  async list(): Promise<Partner[]> {
    const index = await this.#keys.list()
    const ids = (await this.store.list(KEYS.partners)).map((k) =>
      k.slice(KEYS.partners.length, -'.json'.length),
    )
    const partners = await Promise.all(ids.map((id) => this.#withKeys(id, index)))
    return partners.filter((p) => p !== undefined)
  }

  /** One partner, or undefined. */
  async get(id: string): Promise<Partner | undefined> {
    return this.#withKeys(id, await this.#keys.list())
  }

  /**
   * Issues a new key; the previous one stays active beside it until revoked, and an older one than
   * that is revoked now, so a rotation never leaves more than two keys.
   */
  async rotate(id: string): Promise<{ partner: Partner; key: string } | undefined> {
    const current = await this.get(id)
    if (!current) return undefined
    const { key } = await this.#addKey(id, current.keys)
    const keys = (await this.#keys.list()).byPartner.get(id) ?? []
    const excess = keys.slice(0, Math.max(0, keys.length - MAX_ACTIVE_KEYS))
    if (excess.length > 0) await this.#deleteKeys(id, excess)
    const partner = await this.get(id)
    return partner && { partner, key }
  }

  /** Revokes one key of a partner (by key id), or all of them; undefined when there is no such partner or key. */
  async revoke(id: string, keyId?: string): Promise<Partner | undefined> {
    const partner = await this.get(id)
    if (!partner) return undefined
    const revoked = keyId === undefined ? partner.keys : partner.keys.filter((k) => k.keyId === keyId)
    if (keyId !== undefined && revoked.length === 0) return undefined
    await this.#deleteKeys(id, revoked)
    return this.get(id)
  }

  /** Adds a key whose id sorts after `existing` ones (ids order keys by age, oldest first). */
  async #addKey(
    partnerId: string,
    existing: readonly PartnerKey[] = [],
  ): Promise<{ key: string; record: PartnerKey }> {
    const key = formatKey(this.options.randomBytes(KEY_BYTES))
    const newest = Math.max(0, ...existing.map((k) => Number(k.keyId.split('-')[0])))
    const now = Math.max(this.options.now(), newest + 1)
    const record = {
      keyId: `${now}-${hexOf(this.options.randomBytes(3))}`,
      hash: await keyDigest(key),
      createdAt: new Date(now).toISOString(),
    }
    await this.store.put(
      KEYS.partnerKey(partnerId, record.keyId, record.hash),
      encoder.encode('{}'),
      JSON_META,
    )
    this.#keys.forget()
    return { key, record }
  }

  async #deleteKeys(partnerId: string, keys: readonly PartnerKey[]): Promise<void> {
    await this.store.delete(keys.map((k) => KEYS.partnerKey(partnerId, k.keyId, k.hash)))
    // A key revoked here never reads again here, whatever storage does next.
    this.#keys.revoked(new Set(keys.map((k) => k.hash)))
  }

  async #withKeys(id: string, index: KeyIndex): Promise<Partner | undefined> {
    const definition = await this.#definition(id)
    return definition && { ...definition, keys: index.byPartner.get(id) ?? [] }
  }

  /** A definition, read once per process: definitions never change. */
  async #definition(id: string): Promise<PartnerDefinition | undefined> {
    const known = this.#definitions.get(id)
    if (known) return known
    if (!/^p-[0-9a-f]{12}$/.test(id)) return undefined
    const stored = await this.store.get(KEYS.partner(id))
    if (!stored) return undefined
    const definition = JSON.parse(decoder.decode(stored.body)) as PartnerDefinition
    this.#definitions.set(id, definition)
    return definition
  }
}
