const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const MONTH = MONTHS.join('|')

// RFC 9110 §5.6.7: the preferred IMF-fixdate and the two obsolete forms a recipient must accept.
const IMF_FIXDATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) (${MONTH}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`,
)
const RFC_850 = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-(${MONTH})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`,
)
const ASCTIME = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTH}) ([ \\d]\\d) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$`,
)

/**
 * Reads an HTTP-date (RFC 9110 §5.6.7) as milliseconds since the epoch, or undefined when the text is
 * none of its three forms or names no real instant (`2030`, `2026-12-05` and `31 Feb` are not
 * HTTP-dates). A two-digit RFC 850 year more than 50 years after `now` is taken as the century
 * before, as the RFC asks. Pure.
 */
export function parseHttpDate(text: string, now: number): number | undefined {
  let match = IMF_FIXDATE.exec(text)
  if (match) return instant(+match[3]!, match[2]!, +match[1]!, match[4]!, match[5]!, match[6]!)
  match = ASCTIME.exec(text)
  if (match) return instant(+match[6]!, match[1]!, +match[2]!.trim(), match[3]!, match[4]!, match[5]!)
  match = RFC_850.exec(text)
  if (match) {
    const thisYear = new Date(now).getUTCFullYear()
    let year = Math.floor(thisYear / 100) * 100 + Number(match[3])
    if (year > thisYear + 50) year -= 100
    return instant(year, match[2]!, +match[1]!, match[4]!, match[5]!, match[6]!)
  }
  return undefined
}

function instant(
  year: number,
  month: string,
  day: number,
  h: string,
  m: string,
  s: string,
): number | undefined {
  const monthIndex = MONTHS.indexOf(month)
  const [hours, minutes, seconds] = [Number(h), Number(m), Number(s)]
  // 60 is a leap second, which Date cannot hold: read as the end of the minute before.
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined
  const at = Date.UTC(year, monthIndex, day, hours, minutes, Math.min(seconds, 59))
  return new Date(at).getUTCDate() === day ? at : undefined
}
