/**
 * The months of RFC 5005 archives, as `YYYY-MM` strings (UTC): they sort as they run, so months
 * compare as strings. A story's month is the UTC month of its `publishedAt` (its newest version's).
 */

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/

/** Whether a path segment is a month as archives are named (`2026-03`). */
export function isMonth(value: string): boolean {
  return MONTH.test(value)
}

/** The UTC month of an instant (ms since the epoch). */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7)
}

/** The month `by` months after `month` (before it when negative). */
export function addMonths(month: string, by: number): string {
  const [, year, m] = MONTH.exec(month) ?? []
  return monthOf(Date.UTC(Number(year), Number(m) - 1 + by, 1))
}
