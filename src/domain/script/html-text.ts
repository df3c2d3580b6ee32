/**
 * Text mapping over an HTML fragment, for script converters: what a reader or a screen reader meets
 * (text nodes, and the values of the attributes in HUMAN_TEXT_ATTRIBUTES) is mapped; tag and attribute
 * names, every other attribute value, comments, `<!DOCTYPE>`/`<?…?>`/CDATA, the content of
 * `<script>`/`<style>` and of code elements pass through byte for byte. Nothing is decoded or
 * re-encoded; this is a tokenizer for "where is text", not a DOM.
 */

/** Elements whose content is not text for a reader (raw text elements). */
const RAW_TEXT_ELEMENTS = new Set(['script', 'style'])

/** Elements whose content is code, keyboard input or program output: never transliterated. */
const CODE_ELEMENTS = new Set(['code', 'pre', 'kbd', 'samp'])

/**
 * Attributes whose value is read out or shown to a reader (image descriptions, tooltips, accessible
 * names and descriptions, option and track labels), and so is text in the fragment's language.
 */
const HUMAN_TEXT_ATTRIBUTES: ReadonlySet<string> = new Set([
  'alt',
  'title',
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'aria-placeholder',
  'aria-valuetext',
  'placeholder',
  'label',
  'abbr',
])

/**
 * The named references HTML still decodes without their `;` (WHATWG "named character references"),
 * longest first: `&copy 2024` is ©, but `&Samarqand` is text, and a converter must see it as text.
 */
const LEGACY_REFERENCE_NAMES = (
  'AElig AMP Aacute Acirc Agrave Aring Atilde Auml COPY Ccedil ETH Eacute Ecirc Egrave Euml GT Iacute ' +
  'Icirc Igrave Iuml LT Ntilde Oacute Ocirc Ograve Oslash Otilde Ouml QUOT REG THORN Uacute Ucirc ' +
  'Ugrave Uuml Yacute aacute acirc acute aelig agrave amp aring atilde auml brvbar ccedil cedil cent ' +
  'copy curren deg divide eacute ecirc egrave eth euml frac12 frac14 frac34 gt iacute icirc iexcl ' +
  'igrave iquest iuml laquo lt macr micro middot nbsp not ntilde oacute ocirc ograve ordf ordm oslash ' +
  'otilde ouml para plusmn pound quot raquo reg sect shy sup1 sup2 sup3 szlig thorn times uacute ucirc ' +
  'ugrave uml uuml yacute yen yuml'
)
  .split(' ')
  .sort((a, b) => b.length - a.length)

/**
 * A character reference: `&amp;`, `&#8217;`, `&#x2BB;`, any `&name;`, and the legacy forms without
 * `;` that browsers still decode (`&copy`, `&nbsp`), so that no converter turns `&nbsp` into `&нбсп`.
 */
const CHARACTER_REFERENCE = new RegExp(
  `&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;|(?:${LEGACY_REFERENCE_NAMES.join('|')}))`,
  'g',
)

const isAsciiLetter = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z]$/.test(c)
const isSpace = (c: string | undefined): boolean => c !== undefined && /^[\t\n\f\r ]$/.test(c)

/**
 * Applies `fn` to every text run of an HTML fragment (the raw source between two pieces of markup,
 * character references included) outside code elements, and to the raw value of every
 * HUMAN_TEXT_ATTRIBUTES attribute; returns the fragment with everything else unchanged.
 */
export function mapHtmlTextRuns(html: string, fn: (run: string) => string): string {
  let out = ''
  let textStart = 0
  let i = 0
  // Open code elements: their text is code, whatever is nested inside (`<pre><b>x</b></pre>`).
  let codeDepth = 0
  const text = (run: string) => (codeDepth > 0 ? run : fn(run))
  while (i < html.length) {
    const lt = html.indexOf('<', i)
    if (lt === -1) break
    const end = findMarkupEnd(html, lt)
    if (end === -1) {
      i = lt + 1 // a bare `<` in text ("a < b")
      continue
    }
    if (lt > textStart) out += text(html.slice(textStart, lt))
    i = end
    const element = openingTagName(html, lt)
    if (element === null) {
      const closed = closingTagName(html, lt)
      if (closed !== null && CODE_ELEMENTS.has(closed) && codeDepth > 0) codeDepth--
      out += html.slice(lt, end)
    } else {
      out += mapHumanAttributes(html, lt, end, fn)
      if (CODE_ELEMENTS.has(element)) codeDepth++
      if (RAW_TEXT_ELEMENTS.has(element)) {
        const close = findClosingTag(html, end, element)
        out += html.slice(end, close)
        i = close
      }
    }
    textStart = i
  }
  if (textStart < html.length) out += text(html.slice(textStart))
  return out
}

/** The start tag `html[lt, end)` with the values of its human-text attributes mapped by `fn`. */
function mapHumanAttributes(html: string, lt: number, end: number, fn: (run: string) => string): string {
  let out = ''
  let last = lt
  for (const { name, valueStart, valueEnd } of attributesOf(html, lt + 1)) {
    if (!HUMAN_TEXT_ATTRIBUTES.has(name.toLowerCase()) || valueEnd === valueStart) continue
    out += html.slice(last, valueStart) + fn(html.slice(valueStart, valueEnd))
    last = valueEnd
  }
  return out + html.slice(last, end)
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
  return walkTag(html, from, () => undefined)
}

/** One attribute of a start tag: its name and where its value's source lies (quotes excluded). */
interface AttributeSpan {
  name: string
  valueStart: number
  valueEnd: number
}

/** The attributes of the start tag whose name begins at `from`. */
function attributesOf(html: string, from: number): AttributeSpan[] {
  const spans: AttributeSpan[] = []
  walkTag(html, from, (span) => spans.push(span))
  return spans
}

/**
 * Tokenizes a start tag as browsers do, reporting each attribute that has a value; returns the index
 * just past its `>` (or the end of the input for an unterminated tag).
 */
function walkTag(html: string, from: number, onAttribute: (span: AttributeSpan) => void): number {
  let i = from
  while (i < html.length && !isSpace(html[i]) && html[i] !== '/' && html[i] !== '>') i++ // tag name
  while (i < html.length) {
    while (isSpace(html[i]) || html[i] === '/') i++
    if (i >= html.length) break
    if (html[i] === '>') return i + 1
    // Attribute name: anything up to whitespace, `/`, `>` or `=` (quotes included, as browsers do).
    const nameStart = i
    i++
    while (i < html.length && !isSpace(html[i]) && !'/>='.includes(html[i]!)) i++
    const name = html.slice(nameStart, i)
    while (isSpace(html[i])) i++
    if (html[i] !== '=') continue
    i++
    while (isSpace(html[i])) i++
    const quote = html[i]
    if (quote === '"' || quote === "'") {
      const close = html.indexOf(quote, i + 1)
      if (close !== -1) onAttribute({ name, valueStart: i + 1, valueEnd: close })
      i = close === -1 ? html.length : close + 1
    } else {
      const valueStart = i
      while (i < html.length && !isSpace(html[i]) && html[i] !== '>') i++
      onAttribute({ name, valueStart, valueEnd: i })
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

/** The lower-cased element name of an end tag at `lt`, or null for anything else. */
function closingTagName(html: string, lt: number): string | null {
  const match = /^<\/([A-Za-z][A-Za-z0-9-]*)/.exec(html.slice(lt, lt + 32))
  return match ? match[1]!.toLowerCase() : null
}

/** Index of the `</name` that ends a raw text element, or the end of the input. */
function findClosingTag(html: string, from: number, name: string): number {
  const pattern = new RegExp(`</${name}(?=[\\s/>])`, 'gi')
  pattern.lastIndex = from
  const match = pattern.exec(html)
  return match ? match.index : html.length
}
