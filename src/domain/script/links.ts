/**
 * URLs, bare domains and e-mail addresses inside running text. Script converters must not touch
 * them: `https://kun.uz/news/2024/…` or `press@gov.uz` are identifiers, not Uzbek words.
 */
const SCHEME_OR_WWW = String.raw`(?:\b[A-Za-z][A-Za-z0-9+.-]*:\/\/|\bwww\.)[^\s<>"«»“”„]+`
// e-mail address (apostrophes are legal in the local part: o'zbek@mail.uz)
const EMAIL = String.raw`[\p{L}\p{N}._%+'’ʻʼ-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}`
// bare domain with a known top-level domain (Kun.uz, gov.uz, xinhuanet.com)
const DOMAIN = String.raw`\b[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.(?:uz|kz|ru|cn|tw|hk|com|org|net|info|io|gov|edu|int)\b(?:\/[^\s<>"«»“”„]*)?`

/** Every kind of link: scheme://… or www.…, e-mail address, bare domain (earliest first, as listed). */
const LINK = new RegExp([SCHEME_OR_WWW, EMAIL, DOMAIN].join('|'), 'gu')
/**
 * The same without e-mail addresses, for text without an `@`: the e-mail pattern may start at any
 * letter and runs to the end of each word before it fails, which made it most of the cost of
 * deriving a record; without an `@` it can never match, so leaving it out finds the same links.
 */
const LINK_WITHOUT_EMAIL = new RegExp([SCHEME_OR_WWW, DOMAIN].join('|'), 'gu')

/** Punctuation that ends a sentence after a link rather than belonging to it. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'’]+$/u

/** Finds the links in `text` as [start, end) ranges, in order. */
export function findLinks(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = []
  // Every link has a `.` (domains, e-mail addresses, www.) or a `:` (scheme://).
  if (!text.includes('.') && !text.includes(':')) return ranges
  const pattern = text.includes('@') ? LINK : LINK_WITHOUT_EMAIL
  pattern.lastIndex = 0
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const link = match[0].replace(TRAILING_PUNCTUATION, '')
    if (link.length > 0) ranges.push([match.index, match.index + link.length])
  }
  return ranges
}

/** Applies `fn` to the parts of `text` that are not URLs, domains or e-mail addresses. */
export function mapOutsideLinks(text: string, fn: (text: string) => string): string {
  let out = ''
  let last = 0
  for (const [start, end] of findLinks(text)) {
    if (start > last) out += fn(text.slice(last, start))
    out += text.slice(start, end)
    last = end
  }
  if (last < text.length) out += fn(text.slice(last))
  return out
}
