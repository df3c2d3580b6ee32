import { feedUrls } from '../render/feed-model.ts'
import type { FeedService } from './feed-service.ts'
import type { HubNotifier } from './websub.ts'

/**
 * Brings every public feed past the embargoes that ended by `now` (a read renders a feed again once
 * its next release has passed) and tells WebSub hubs of each feed and locale where a story was
 * released within `windowMs` before `now`. Run on a timer (Node) or a Cron Trigger (Workers) at least
 * every `windowMs / 2`: a release is then announced within the interval, at worst twice.
 */
export async function announceReleases(
  feeds: FeedService,
  hubs: HubNotifier,
  now: number,
  windowMs: number,
): Promise<string[]> {
  const released: string[] = []
  if (!hubs.enabled) return released // GETs render released stories themselves; only hubs need telling
  for (const definition of feeds.feeds.all) {
    if (definition.public === 'none') continue
    for (const locale of definition.locales) {
      const { bundle } = await feeds.getFeed(definition, locale, 'atom')
      const at = bundle.lastRelease
      if (at !== undefined && at > now - windowMs && at <= now)
        released.push(...Object.values(feedUrls(feeds.settings, definition.id, locale)))
    }
  }
  if (released.length > 0) await hubs.notify(released)
  return released
}
