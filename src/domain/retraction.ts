import { z } from 'zod'

/**
 * Why a story was pulled: `kill` (legal: partners must remove every copy), `withdrawn` (taken down),
 * `correction-pending` (withheld until a correction). A retraction without a reason is a withdrawal,
 * which is what a retraction meant before reasons existed.
 */
const RETRACTION_REASONS = ['kill', 'withdrawn', 'correction-pending'] as const
export type RetractionReason = (typeof RETRACTION_REASONS)[number]

export const DEFAULT_RETRACTION_REASON: RetractionReason = 'withdrawn'

const RANK: Record<RetractionReason, number> = { withdrawn: 0, 'correction-pending': 1, kill: 2 }

/** The weightier of two reasons: a story pulled again for a kill is killed, never the other way back. */
export function strongerReason(
  a: RetractionReason | undefined,
  b: RetractionReason | undefined,
): RetractionReason {
  const [x, y] = [a ?? DEFAULT_RETRACTION_REASON, b ?? DEFAULT_RETRACTION_REASON]
  return RANK[x] >= RANK[y] ? x : y
}

export const RetractionReasonSchema = z.enum(RETRACTION_REASONS)
