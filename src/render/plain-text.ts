/** Elements whose end (or start) breaks the text into paragraphs. */
const BLOCK = new Set([
  'p',
  'div',
  'br',
  'li',
  'ul',
  'ol',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'figure',
  'figcaption',
  'table',
  'tr',
  'pre',
  'hr',
  'section',
  'article',
])
/** Elements whose content is never text a reader sees. */
const HIDDEN = /<(script|style|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi
const TAG = /<\/?([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>|<!--[\s\S]*?-->/g
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }

/**
 * The text of an HTML fragment as a reader sees it: paragraphs separated by a blank line, runs of
 * white space collapsed, character references decoded. Plain-text consumers (ninjs `text/plain`
 * bodies, word counts) need the words, not the markup.
 */
export function htmlToPlainText(html: string): string {
  const marked = html
    .replace(HIDDEN, '')
    .replace(TAG, (_match, name: string | undefined) => (name && BLOCK.has(name.toLowerCase()) ? '\n' : ''))
  return decodeReferences(marked)
    .split('\n')
    .map((line) => line.replace(/[ \t\r\f\u00a0]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n\n')
}

function decodeReferences(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (match, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : match
    }
    return NAMED[ref] ?? match
  })
}
