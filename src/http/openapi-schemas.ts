import { z } from 'zod'

/** The bodies of the OpenAPI document's own components: problems, liveness and readiness. */

/** RFC 9457 problem details, with Silkfeed's `code` and per-field `problems`. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  code: z.string(),
  problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
})

/** `GET /healthz` and `GET /readyz` bodies, as documented. */
export const HealthSchema = z.object({ status: z.literal('ok') })
export const ReadinessSchema = z.object({
  status: z.enum(['ready', 'unready']),
  storage: z.object({
    status: z
      .enum(['ok', 'unavailable', 'misconfigured'])
      .describe('unavailable: try again after Retry-After; misconfigured: an operator must change a setting'),
    reason: z
      .enum(['unreachable', 'credentials-refused', 'bucket-missing'])
      .optional()
      .describe(
        'Why storage is not ok: not answering in time or failing; the credentials refused; no such bucket',
      ),
    settings: z
      .array(z.string())
      .optional()
      .describe('When misconfigured: the configuration variables to check (names, never values)'),
    detail: z
      .string()
      .optional()
      .describe('What to do, in the language Accept-Language prefers (English by default)'),
    latencyMs: z.number(),
    checkedAt: z.string().describe('When the probe behind this answer ran (ISO 8601)'),
    ageMs: z.number().describe('How old that probe is (at most READY_CACHE_MS)'),
  }),
})
