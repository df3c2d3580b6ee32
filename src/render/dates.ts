import { BoundedCache, CACHE_BOUNDS } from '../domain/bounded-cache.ts'

/**
 * Feed dates in a newsroom's time zone. Only the `en-US` locale and offsets are asked of Intl, which
 * workerd's abridged ICU data has, so Node and workerd print the same bytes.
 */
// Keyed by the newsroom time zones of TIME_ZONE: finite by construction, so a plain Map.
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: 'short',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

interface WallClock {
  weekday: string
  year: string
  month: string
  monthNumber: string
  day: string
  hour: string
  minute: string
  second: string
  /** `+08:00` style; `+00:00` for UTC */
  offset: string
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

// The same few dates are written over and over (every render, every format, every locale of a
// zone): formatToParts is the costly part of a render, so its answers are kept, within a bound. A
// memo of a pure function (the same zone and instant always give the same fields), so whichever
// app asks shares it; it lives here rather than in the composition root because every renderer
// reaches it through the date functions below, which take no context.
const clocks = new BoundedCache<string, WallClock>(CACHE_BOUNDS.wallClocks)

function wallClock(instant: number, timeZone: string): WallClock {
  const key = `${timeZone} ${instant}`
  let clock = clocks.get(key)
  if (!clock) {
    clock = readWallClock(instant, timeZone)
    // Historic local mean time has offsets with seconds, which neither RFC 822 nor RFC 3339 can write.
    if (!/^[+-]\d\d:\d\d$/.test(clock.offset)) clock = readWallClock(instant, 'UTC')
    clocks.set(key, clock)
  }
  return clock
}

function readWallClock(instant: number, timeZone: string): WallClock {
  const parts: Record<string, string> = {}
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) parts[part.type] = part.value
  const month = parts.month ?? 'Jan'
  const gmt = parts.timeZoneName ?? 'GMT'
  const offset = gmt === 'GMT' ? '+00:00' : gmt.slice(3)
  return {
    weekday: parts.weekday ?? 'Mon',
    year: (parts.year ?? '1970').padStart(4, '0'),
    month,
    monthNumber: String(MONTHS.indexOf(month) + 1).padStart(2, '0'),
    day: parts.day ?? '01',
    hour: parts.hour ?? '00',
    minute: parts.minute ?? '00',
    second: parts.second ?? '00',
    offset,
  }
}

/** The calendar date and time of an instant in a zone, as numbers: what localized dates are spelled from. */
export function calendarFields(
  instant: number,
  timeZone: string,
): { year: number; month: number; day: number; hour: number; minute: number } {
  const w = wallClock(instant, timeZone)
  return {
    year: Number(w.year),
    month: Number(w.monthNumber),
    day: Number(w.day),
    hour: Number(w.hour),
    minute: Number(w.minute),
  }
}

/** RFC 3339 with the zone's offset at that instant, e.g. `2022-11-06T15:12:00+08:00`. */
export function formatRfc3339(instant: number, timeZone: string): string {
  const w = wallClock(instant, timeZone)
  return `${w.year}-${w.monthNumber}-${w.day}T${w.hour}:${w.minute}:${w.second}${w.offset}`
}

/** RFC 822 as RSS 2.0 wants it, English names whatever the locale: `Sun, 06 Nov 2022 15:12:00 +0800`. */
export function formatRfc822(instant: number, timeZone: string): string {
  const w = wallClock(instant, timeZone)
  return `${w.weekday}, ${w.day} ${w.month} ${w.year} ${w.hour}:${w.minute}:${w.second} ${w.offset.replace(':', '')}`
}

/** HTTP-date (RFC 9110), always GMT. */
export function formatHttpDate(instant: number): string {
  return new Date(instant).toUTCString()
}

// Formatters are costly to make: one per time zone, made on first use. Keyed by the newsroom time
// zones of TIME_ZONE: finite by construction, so a plain Map.
const yearFormats = new Map<string, Intl.DateTimeFormat>()

/** The calendar year of an instant in a time zone, as digits (for copyright lines). */
export function formatYear(instant: number, timeZone: string): string {
  let format = yearFormats.get(timeZone)
  if (!format)
    yearFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' })))
  return format.format(instant)
}
