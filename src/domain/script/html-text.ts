/**
 * Text-node mapping over an HTML fragment, for script converters: tags, attributes, comments,
 * `<!DOCTYPE>`/`<?…?>`/CDATA and the content of `<script>`/`<style>` pass through byte for byte.
 * Nothing is decoded or re-encoded; this is a tokenizer for "where is text", not a DOM.
 */

/** Elements whose content is not text for a reader (raw text elements). */
const RAW_TEXT_ELEMENTS = new Set(['script', 'style'])

/**
 * A character reference: `&amp;`, `&#8217;`, `&#x2BB;`, and the legacy forms without `;` that browsers
 * still decode (`&copy`, `&nbsp`), so that no converter turns `&nbsp` into `&нбсп`.
 */
const CHARACTER_REFERENCE = /&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?/g

const isAsciiLetter = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z]$/.test(c)
const isSpace = (c: string | undefined): boolean => c !== undefined && /^[\t\n\f\r ]$/.test(c)

/**
 * Applies `fn` to every text run of an HTML fragment (the raw source between two pieces of markup,
 * character references included) and returns the fragment with everything else unchanged.
 */
export function mapHtmlTextRuns(html: string, fn: (run: string) => string): string {
  let out = ''
  let textStart = 0
  let i = 0
  while (i < html.length) {
    const lt = html.indexOf('<', i)
    if (lt === -1) break
    const end = findMarkupEnd(html, lt)
    if (end === -1) {
      i = lt + 1 // a bare `<` in text ("a < b")
      continue
    }
    if (lt > textStart) out += fn(html.slice(textStart, lt))
    out += html.slice(lt, end)
    i = end
    const element = openingTagName(html, lt)
    if (element !== null && RAW_TEXT_ELEMENTS.has(element)) {
      const close = findClosingTag(html, end, element)
      out += html.slice(end, close)
      i = close
    }
    textStart = i
  }
  if (textStart < html.length) out += fn(html.slice(textStart))
  return out
}

/**
 * Applies `fn` to the text of an HTML fragment: text nodes only, split around character references
 * so that `&amp;`, `&nbsp;` and `&#8217;` reach the output intact (each acts as a word boundary).
 */
export function mapHtmlText(html: string, fn: (text: string) => string): string {
  return mapHtmlTextRuns(html, (run) => mapOutsideCharacterReferences(run, fn))
}

/** Applies `fn` to the pieces of a raw text run between character references. */
export function mapOutsideCharacterReferences(run: string, fn: (text: string) => string): string {
  let out = ''
  let last = 0
  for (const match of run.matchAll(CHARACTER_REFERENCE)) {
    if (match.index > last) out += fn(run.slice(last, match.index))
    out += match[0]
    last = match.index + match[0].length
  }
  if (last < run.length) out += fn(run.slice(last))
  return out
}

/** Index just past the markup starting at `lt`, or -1 when this `<` is plain text. */
function findMarkupEnd(html: string, lt: number): number {
  const next = html[lt + 1]
  if (html.startsWith('<!--', lt)) return indexAfter(html, '-->', lt + 4)
  if (html.startsWith('<![CDATA[', lt)) return indexAfter(html, ']]>', lt + 9)
  if (next === '!' || next === '?') return indexAfter(html, '>', lt + 2)
  if (next === '/' && isAsciiLetter(html[lt + 2])) return indexAfter(html, '>', lt + 2)
  if (isAsciiLetter(next)) return findTagEnd(html, lt + 1)
  return -1
}

/** Walks a start tag attribute by attribute, so that `>` or an apostrophe inside a value cannot end it. */
function findTagEnd(html: string, from: number): number {
  let i = from
  while (i < html.length && !isSpace(html[i]) && html[i] !== '/' && html[i] !== '>') i++ // tag name
  while (i < html.length) {
    while (isSpace(html[i]) || html[i] === '/') i++
    if (i >= html.length) break
    if (html[i] === '>') return i + 1
    // Attribute name: anything up to whitespace, `/`, `>` or `=` (quotes included, as browsers do).
    i++
    while (i < html.length && !isSpace(html[i]) && !'/>='.includes(html[i]!)) i++
    while (isSpace(html[i])) i++
    if (html[i] !== '=') continue
    i++
    while (isSpace(html[i])) i++
    const quote = html[i]
    if (quote === '"' || quote === "'") {
      const close = html.indexOf(quote, i + 1)
      i = close === -1 ? html.length : close + 1
    } else {
      while (i < html.length && !isSpace(html[i]) && html[i] !== '>') i++
    }
  }
  return html.length // an unterminated tag swallows the rest: never treat half a tag as text
}

function indexAfter(html: string, needle: string, from: number): number {
  const at = html.indexOf(needle, from)
  return at === -1 ? html.length : at + needle.length
}

/** The lower-cased element name of a start tag at `lt`, or null for end tags, comments and the like. */
function openingTagName(html: string, lt: number): string | null {
  const match = /^<([A-Za-z][A-Za-z0-9-]*)/.exec(html.slice(lt, lt + 32))
  return match ? match[1]!.toLowerCase() : null
}

/** Index of the `</name` that ends a raw text element, or the end of the input. */
function findClosingTag(html: string, from: number, name: string): number {
  const pattern = new RegExp(`</${name}(?=[\\s/>])`, 'gi')
  pattern.lastIndex = from
  const match = pattern.exec(html)
  return match ? match.index : html.length
}
