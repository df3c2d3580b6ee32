/**
 * URLs, bare domains and e-mail addresses inside running text. Script converters must not touch
 * them: `https://kun.uz/news/2024/…` or `press@gov.uz` are identifiers, not Uzbek words.
 */
const LINK = new RegExp(
  [
    // scheme://… or www.…, up to whitespace, markup or quotation marks
    String.raw`(?:\b[A-Za-z][A-Za-z0-9+.-]*:\/\/|\bwww\.)[^\s<>"«»“”„]+`,
    // e-mail address (apostrophes are legal in the local part: o'zbek@mail.uz)
    String.raw`[\p{L}\p{N}._%+'’ʻʼ-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}`,
    // bare domain with a known top-level domain (Kun.uz, gov.uz, xinhuanet.com)
    String.raw`\b[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.(?:uz|kz|ru|cn|tw|hk|com|org|net|info|io|gov|edu|int)\b(?:\/[^\s<>"«»“”„]*)?`,
  ].join('|'),
  'gu',
)

/** Punctuation that ends a sentence after a link rather than belonging to it. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'’]+$/u

/** Finds the links in `text` as [start, end) ranges, in order. */
export function findLinks(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = []
  for (const match of text.matchAll(LINK)) {
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
