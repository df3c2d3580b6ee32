import type { Partner, PartnerKey } from '../domain/partner.ts'

/** A partner's definition as stored: written once, never changed (keys live beside it). */
export type PartnerDefinition = Omit<Partner, 'keys'>

/** An active key's partner, and which of its keys it is (quotas count per key). */
export interface Authenticated {
  partner: Partner
  keyId: string
}

// `{partnerId}/{ms}-{random}.{sha-256 hex}` under the keys' prefix.
const KEY_NAME = /^([^/]+)\/(\d+)-([0-9a-f]+)\.([0-9a-f]{64})$/

/**
 * One listing of the active keys: every key's hash and partner, taken at `at`. What the hot path
 * derives from it (a partner as answered, a decision per keyed path) is kept here too, so it is
 * forgotten with the listing: a revocation that the next listing shows reaches every decision.
 */
export class KeyIndex {
  readonly byHash = new Map<string, { partnerId: string; key: PartnerKey }>()
  readonly byPartner = new Map<string, PartnerKey[]>()
  readonly #partners = new Map<string, Partner>()
  readonly #decisions = new Map<string, object>()

  private constructor(readonly at: number) {}

  /** The index of the object names listed under the keys' prefix (names of another shape are skipped). */
  static fromListing(at: number, names: readonly string[]): KeyIndex {
    const index = new KeyIndex(at)
    for (const name of names) {
      const match = KEY_NAME.exec(name)
      if (!match) continue
      const [, partnerId, ms, random, hash] = match as unknown as [string, string, string, string, string]
      const key = { keyId: `${ms}-${random}`, hash, createdAt: new Date(Number(ms)).toISOString() }
      index.byHash.set(hash, { partnerId, key })
      const keys = index.byPartner.get(partnerId) ?? []
      keys.push(key)
      index.byPartner.set(partnerId, keys)
    }
    return index
  }

  /** This listing without the keys of these hashes (revoked since), taken at the same time. */
  without(hashes: ReadonlySet<string>): KeyIndex {
    const index = new KeyIndex(this.at)
    for (const [hash, found] of this.byHash) {
      if (hashes.has(hash)) continue
      index.byHash.set(hash, found)
      index.byPartner.set(found.partnerId, [...(index.byPartner.get(found.partnerId) ?? []), found.key])
    }
    return index
  }

  /** A partner with its keys in this listing, made once per listing. */
  partnerOf(definition: PartnerDefinition): Partner {
    let partner = this.#partners.get(definition.id)
    if (!partner) {
      partner = { ...definition, keys: this.byPartner.get(definition.id) ?? [] }
      this.#partners.set(definition.id, partner)
    }
    return partner
  }

  /**
   * What `decide` makes of `path`, made once per path in this listing. Only answers are kept (an
   * undefined is asked again), so a path is kept only once its key was found active: decisions
   * never outnumber active keys times the paths each may read.
   */
  decision<T extends object>(path: string, decide: () => T | undefined): T | undefined {
    // Only `decision` writes the map, and a path's decisions all come from the same caller.
    const known = this.#decisions.get(path) as T | undefined
    if (known) return known
    const made = decide()
    if (made) this.#decisions.set(path, made)
    return made
  }
}
