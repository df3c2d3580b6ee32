/** One member of a weighted list (`Accept-Encoding`, `Accept-Language`): its value, weight and position. */
export interface Weighted {
  /** The member without its parameters, trimmed and lower-cased. */
  value: string
  /** Its weight, 0 to 1 (1 when the member carries none). */
  q: number
  /** Its position in the header, for ties. */
  index: number
}

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/

/**
 * Parses a comma-separated list of members with optional weights (RFC 9110 §12.4.2), in header
 * order. The weight parameter is `q` in any case, with OWS around `;`; a member whose weight is not
 * a valid qvalue (`q=2`, `q=-1`, `q=0.0001`, `q=x`) is dropped as malformed rather than guessed at.
 * Empty members (`a,,b`) are skipped. Pure.
 */
export function parseWeightedList(header: string | undefined): Weighted[] {
  const members: Weighted[] = []
  if (!header) return members
  let index = 0
  for (const part of header.split(',')) {
    const semicolon = part.indexOf(';')
    const value = (semicolon < 0 ? part : part.slice(0, semicolon)).trim().toLowerCase()
    if (value === '') continue
    let q = 1
    let valid = true
    if (semicolon >= 0) {
      for (const param of part.slice(semicolon + 1).split(';')) {
        const eq = param.indexOf('=')
        const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase()
        if (name !== 'q') continue
        const weight = eq < 0 ? '' : param.slice(eq + 1).trim()
        if (!QVALUE.test(weight)) valid = false
        else q = Number(weight)
      }
    }
    if (valid) members.push({ value, q, index })
    index++
  }
  return members
}

/** Members by preference: highest weight first, then header order. Members weighted 0 are kept (they refuse). */
export function byPreference(members: readonly Weighted[]): Weighted[] {
  return [...members].sort((a, b) => b.q - a.q || a.index - b.index)
}
