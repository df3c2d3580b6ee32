import { audienceFor } from '../domain/partner.ts'
import type { Resource } from '../domain/url-scheme.ts'
import type { FeedService } from '../services/feed-service.ts'
import type { NinjsService } from '../services/ninjs-service.ts'
import { AppError } from './errors.ts'
import { ninjsReader, requireEntitled, type Admitted, type PartnerAccess } from './partner-access.ts'
import type { Representation } from './representation.ts'
import { pageRepresentation, requireFeed, requireLocale, requirePublic } from './resources.ts'

/** The ninjs resources: public (a Bearer key selects a partner's view) and keyed. */
export type NinjsResource = Extract<
  Resource,
  { kind: 'ninjsFeed' | 'ninjsItem' | 'partnerNinjsFeed' | 'partnerNinjsItem' }
>

/** A key selects a partner's document from the public URL too: no shared cache may hand one out for another. */
const VARY_AUTHORIZED = 'Accept-Encoding, Authorization'

interface NinjsDeps {
  feeds: FeedService
  ninjs: NinjsService
  partners: PartnerAccess
}

/** Finds what a ninjs path names without reading it: the 404 of an unknown locale or feed. */
export function resolveNinjs(feeds: FeedService, resource: NinjsResource): void {
  const locale = requireLocale(resource.locale)
  if (resource.kind === 'ninjsFeed') requireFeed(feeds, resource.feedId, locale)
  if (resource.kind === 'partnerNinjsFeed') requireFeed(feeds, resource.feedId, locale, 'all')
}

/**
 * A ninjs list or item for the public, or for the partner a key admitted: a feed it may read (else
 * the 403 of its feeds) at its audience for that feed; a story at its audience for the best of the
 * feeds it may read in the locale that select it (a locale outside its agreement is the 403; a story
 * no such feed selects, the 404 of an unknown id). Rendered once per audience, never per reader.
 */
export async function ninjsRepresentation(
  { feeds, ninjs, partners }: NinjsDeps,
  resource: NinjsResource,
  admitted: Admitted | undefined,
  now: number,
): Promise<Representation> {
  const locale = requireLocale(resource.locale)
  if (resource.kind === 'ninjsFeed' || resource.kind === 'partnerNinjsFeed') {
    const definition = requireFeed(feeds, resource.feedId, locale, admitted ? 'all' : 'public')
    if (!admitted) {
      requirePublic(feeds, definition, locale)
      return pageRepresentation(await ninjs.feedList(definition, locale), VARY_AUTHORIZED, now)
    }
    requireEntitled(partners, admitted.partner, definition.id, locale)
    const audience = audienceFor(admitted.partner, definition)
    return pageRepresentation(await ninjs.feedList(definition, locale, audience), VARY_AUTHORIZED, now)
  }
  const reader = admitted && ninjsReader(partners, admitted.partner, locale)
  const item = await ninjs.item(locale, resource.id, reader)
  if (!item) throw new AppError('ITEM_NOT_FOUND', { id: resource.id, locale })
  return pageRepresentation(item, VARY_AUTHORIZED, now)
}
