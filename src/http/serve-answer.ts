import type { Context } from 'hono'
import type { AudienceKey } from '../domain/audience.ts'
import { clientAcceptEncoding } from './accept-encoding.ts'
import type { AppEnv } from './context.ts'
import { privateRepresentation, type Admitted } from './partner-access.ts'
import { answerRepresentation, answerResponse, type Representation } from './representation.ts'
import { feedRepresentation, type FeedTarget } from './resources.ts'
import type { FeedService } from '../services/feed-service.ts'

// The last step of the serving pipeline: a representation answered to one request (variant,
// conditional GET, headers), for the public or for a partner a key admitted.

type C = Context<AppEnv>

interface AnswerDeps {
  feeds: FeedService
  now: () => number
}

/**
 * Serves feed F in locale L, format X, for audience A (`full`, `excerpt`, `full-embargoed`…) through
 * this pipeline: the audience's rendering (made once per change of the feed, never per reader), its
 * variant, conditional GET and headers as for the public feed. Entitlements are the caller's to check.
 */
export async function serveFeedFor(
  deps: AnswerDeps,
  c: C,
  target: FeedTarget,
  audience: AudienceKey,
  /** The partner reading, when a key admitted one: its answer is `private`, with its quota headers. */
  admitted?: Admitted,
): Promise<Response> {
  const { feeds } = deps
  const served = await feeds.getFeedFor(target.definition, target.locale, target.format, audience)
  c.set('cache', served.outcome)
  const representation = feedRepresentation(target.definition, served.bundle, feeds.settings, deps.now())
  // A stale copy's Last-Modified stays the content's own; its age says how old it is.
  return answer(deps, c, representation, served.stale ? served.ageSeconds : undefined, admitted)
}

export function answer(
  deps: Pick<AnswerDeps, 'now'>,
  c: C,
  shared: Representation,
  ageSeconds: number | undefined,
  admitted: Admitted | undefined,
): Response {
  // A partner's answer: the same bytes, `private` (no shared cache keeps it for others).
  const representation = admitted ? privateRepresentation(shared) : shared
  if (admitted) c.set('partner', admitted.partner.id)
  const answer = answerRepresentation(
    representation,
    {
      method: c.req.method,
      acceptEncoding: clientAcceptEncoding(c.req.raw),
      ifNoneMatch: c.req.header('if-none-match'),
      ifModifiedSince: c.req.header('if-modified-since'),
      requestId: c.get('requestId'),
    },
    deps.now(),
    ageSeconds,
  )
  if (admitted)
    for (const [name, value] of Object.entries(admitted.headers)) answer.rawHeaders.push(name, value)
  c.set('bytes', answer.bytes)
  c.set('requestIdSent', true)
  return answerResponse(answer)
}
