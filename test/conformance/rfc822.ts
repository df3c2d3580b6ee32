const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const RFC822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4}|GMT)$/

/**
 * Reads an RFC 822 date the way the W3C Feed Validator judges it: English day and month names, a
 * four-digit year, a numeric offset, and a weekday that is the weekday of the written date. Returns
 * the instant, or a reason it is not acceptable. (Date.parse would guess instead of judging.)
 */
export function readRfc822(value: string): { instant: number } | { problem: string } {
  const match = RFC822.exec(value)
  if (!match) return { problem: `"${value}" is not "Www, DD Mmm YYYY HH:MM:SS ±HHMM" with English names` }
  const [, weekday, day, month, year, hour, minute, second, zone] = match as unknown as string[]
  const date = new Date(0)
  date.setUTCFullYear(Number(year), MONTHS.indexOf(month!), Number(day))
  if (date.getUTCDate() !== Number(day)) return { problem: `"${value}" names a day the month does not have` }
  if (DAYS[date.getUTCDay()] !== weekday) {
    return { problem: `"${value}": ${year}-${month}-${day} is a ${DAYS[date.getUTCDay()]}, not a ${weekday}` }
  }
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59)
    return { problem: `"${value}" has no such time` }
  const offset =
    zone === 'GMT'
      ? 0
      : (zone![0] === '-' ? -1 : 1) * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(3)))
  date.setUTCHours(Number(hour), Number(minute), Number(second))
  return { instant: date.getTime() - offset * 60_000 }
}
