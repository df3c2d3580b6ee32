import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mapHtmlText, mapHtmlTextRuns } from '../../../src/domain/script/html-text.ts'
import { findLinks, mapOutsideLinks } from '../../../src/domain/script/links.ts'

const upper = (text: string) => text.toUpperCase()
const seen = (html: string) => {
  const runs: string[] = []
  mapHtmlText(html, (text) => {
    runs.push(text)
    return text
  })
  return runs
}

describe('mapHtmlText', () => {
  it('maps text nodes and human-text attributes, and leaves tags and other attributes alone', () => {
    expect(mapHtmlText('<p class="lead">hello <a href=\'x\' title="a > b">world</a></p>', upper)).toBe(
      '<p class="lead">HELLO <a href=\'x\' title="A > B">WORLD</a></p>',
    )
  })

  it('does not let an apostrophe in a single-quoted or unquoted attribute end the tag early', () => {
    // As in a browser: href='https://kun.uz/o' ends at the second apostrophe, zbek' is an attribute name.
    expect(seen(`<a href='https://kun.uz/o'zbek' data-x=don't>o'zbek</a>`)).toEqual(["o'zbek"])
    expect(mapHtmlText(`<a title='x' data-x=don't>text</a>`, upper)).toBe(
      `<a title='X' data-x=don't>TEXT</a>`,
    )
  })

  it('skips comments, CDATA, doctype, processing instructions and end tags', () => {
    const html = '<!DOCTYPE html><?xml version="1.0"?><!-- note --><![CDATA[raw <b>]]><i>text</i></i>'
    expect(mapHtmlText(html, upper)).toBe(
      '<!DOCTYPE html><?xml version="1.0"?><!-- note --><![CDATA[raw <b>]]><i>TEXT</i></i>',
    )
  })

  it('skips the content of script and style elements', () => {
    const html = '<style>p{color:red}</style><script>var s = "</p>"</script><p>text</p><SCRIPT>x</SCRIPT >y'
    expect(mapHtmlText(html, upper)).toBe(
      '<style>p{color:red}</style><script>var s = "</p>"</script><p>TEXT</p><SCRIPT>x</SCRIPT >Y',
    )
  })

  it('keeps character references intact and never hands them to the text function', () => {
    expect(mapHtmlText('a&amp;b&nbsp;c&#8217;d&#x2BB;e &copy f', upper)).toBe(
      'A&amp;B&nbsp;C&#8217;D&#x2BB;E &copy F',
    )
    expect(seen('a&amp;b')).toEqual(['a', 'b'])
  })

  it('treats a bare < as text', () => {
    expect(mapHtmlText('1 < 2 and <3', upper)).toBe('1 < 2 AND <3')
  })

  it('never treats the rest of an unterminated tag as text', () => {
    expect(mapHtmlText('text <a href="x', upper)).toBe('TEXT <a href="x')
    expect(mapHtmlText('text <!-- open', upper)).toBe('TEXT <!-- open')
  })

  it('hands the text function raw runs, references included, through mapHtmlTextRuns', () => {
    const runs: string[] = []
    mapHtmlTextRuns('<p>a&amp;b</p>c', (run) => (runs.push(run), run))
    expect(runs).toEqual(['a&amp;b', 'c'])
  })

  it('returns any fragment unchanged under the identity function', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('<', '>', '/', '"', "'", '&', ';', '=', ' ', 'a', 'p', '!', '-') }),
        (html) => {
          expect(mapHtmlText(html, (t) => t)).toBe(html)
        },
      ),
    )
  })

  it('changes nothing but text when the text function rewrites everything', () => {
    const html = '<div data-a="1" data-b=\'2\'><img src="x.png" alt="alt"/>one<br>two<!--c--></div>'
    expect(mapHtmlText(html, () => '_')).toBe(
      '<div data-a="1" data-b=\'2\'><img src="x.png" alt="_"/>_<br>_<!--c--></div>',
    )
  })
})

describe('links in text', () => {
  it('finds URLs, www addresses, bare domains and e-mail addresses', () => {
    const text = 'Manba: https://kun.uz/news/2024/01/o‘zbek, www.gov.uz va Kun.uz; press@mfa.uz. Tamom.'
    const links = findLinks(text).map(([s, e]) => text.slice(s, e))
    expect(links).toEqual(['https://kun.uz/news/2024/01/o‘zbek', 'www.gov.uz', 'Kun.uz', 'press@mfa.uz'])
  })

  it('does not take sentence punctuation into a link', () => {
    const text = 'Qarang: https://example.com/a). Yana.'
    expect(findLinks(text).map(([s, e]) => text.slice(s, e))).toEqual(['https://example.com/a'])
  })

  it('maps only the text outside links', () => {
    expect(mapOutsideLinks('see https://a.b/c and x@y.org now', upper)).toBe(
      'SEE https://a.b/c AND x@y.org NOW',
    )
  })
})

describe('mapHtmlText on what a reader meets', () => {
  it('maps alt, title and aria-label values, quoted or not, and no other attribute', () => {
    const html = `<img src="a.png" alt="photo" class="wide"><abbr title='note' data-note="x">x</abbr><span aria-label=label id=y>z</span>`
    expect(mapHtmlText(html, upper)).toBe(
      `<img src="a.png" alt="PHOTO" class="wide"><abbr title='NOTE' data-note="x">X</abbr><span aria-label=LABEL id=y>Z</span>`,
    )
  })

  it('keeps character references in attribute values intact', () => {
    expect(mapHtmlText('<img alt="a&amp;b&#8217;c">', upper)).toBe('<img alt="A&amp;B&#8217;C">')
  })

  it('leaves the text of code, pre, kbd and samp alone, nested markup included', () => {
    const html =
      '<p>run <code>ls -a</code>, <kbd>ctrl</kbd> <samp>ok</samp></p><pre>a <b>b</b> <code>c</code> d</pre>e'
    expect(mapHtmlText(html, upper)).toBe(
      '<p>RUN <code>ls -a</code>, <kbd>ctrl</kbd> <samp>ok</samp></p><pre>a <b>b</b> <code>c</code> d</pre>E',
    )
  })

  it('still maps the title of a code element: a tooltip is for the reader', () => {
    expect(mapHtmlText('<code title="command">ls</code>', upper)).toBe('<code title="COMMAND">ls</code>')
  })

  it('takes an ampersand before a word for text unless it starts a reference browsers decode', () => {
    expect(seen('Toshkent&Samarqand')).toEqual(['Toshkent&Samarqand'])
    expect(seen('&copy 2024 &notit &amp;x')).toEqual([' 2024 ', 'it ', 'x'])
  })
})
