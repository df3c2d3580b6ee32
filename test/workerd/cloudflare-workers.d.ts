// The slice of the `cloudflare:workers` module these tests use (full types would clash with Node's).
declare module 'cloudflare:workers' {
  export const exports: unknown
  export const env: Record<string, unknown>
}

// The slice of `cloudflare:test` (@cloudflare/vitest-pool-workers) these tests use.
declare module 'cloudflare:test' {
  import type { ExecutionContext } from 'hono'
  export function createExecutionContext(): ExecutionContext
  export function waitOnExecutionContext(ctx: ExecutionContext): Promise<void>
  export function createScheduledController(options?: { scheduledTime?: number; cron?: string }): {
    readonly scheduledTime: number
    readonly cron: string
    noRetry(): void
  }
}
