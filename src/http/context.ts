import type { CacheOutcome } from '../services/feed-service.ts'

/** What handlers tell the request log about a request. */
export interface AppEnv {
  Variables: { requestId: string; cache?: CacheOutcome; bytes?: number }
}
