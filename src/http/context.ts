import type { CacheOutcome } from '../services/feed-service.ts'

/** What handlers tell the request log about a request. */
export interface AppEnv {
  Variables: {
    requestId: string
    /** The route template that answered, for the metrics (else Hono's route path). */
    route?: string
    cache?: CacheOutcome
    bytes?: number
    /** The response already carries `x-request-id` (the representation pipeline puts it in up front). */
    requestIdSent?: boolean
    /** The partner whose key was admitted (never the key). */
    partner?: string
    /** The RateLimit headers of an admitted key's quota, which its error answers carry too. */
    quotaHeaders?: Record<string, string>
  }
}
