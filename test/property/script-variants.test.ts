import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DERIVATIONS } from '../../src/domain/derive.ts'
import { UZBEK_ACRONYMS } from '../../src/domain/script/uzbek-foreign.ts'
import { loadSamples } from '../support/samples.ts'
import {
  htmlParts,
  htmlShape,
  simplifiedOnlyCharacters,
  sourceLettersIn,
  VARIANTS,
  type Variant,
} from '../support/script-letters.ts'

// Any HTML fragment, converted into a script variant: no letter of the source script is left where a
// reader meets text, and the fragment parses back (with parse5, not our tokenizer) to the same tree
// of elements, attribute names, non-text attribute values, comments and code.

const samples = loadSamples()

/** The words of the sample stories in one locale: titles, summaries, captions and full texts. */
function sampleWords(locale: string, pattern: RegExp): string[] {
  const words = new Set<string>()
  for (const record of samples.filter((r) => r.locale === locale)) {
    const texts = [record.title, record.summary ?? '', record.image?.caption ?? '']
    if (record.contentHtml) texts.push(...htmlParts(record.contentHtml).human)
    for (const text of texts) for (const word of text.match(pattern) ?? []) words.add(word)
  }
  return [...words].sort()
}

/**
 * Uzbek Latin words the product rule converts (see uzbekLatinToCyrillic): Uzbek letters only (no w,
 * no c outside ch, nothing accented) and not a foreign all-capital acronym such as MBA.
 */
const UZBEK_WORDS = sampleWords('uz', /[A-Za-z\u02BB\u02BC]+/g).filter(
  (w) =>
    !/[wW]|[cC](?![hH])/.test(w) && (!/^[A-Z]{2,}$/.test(w) || UZBEK_ACRONYMS.has(w)) && /[a-z]/i.test(w),
)

/** Kazakh Cyrillic words, and Russian loans that use the letters Kazakh borrowed (ё ю я ц ч щ э ъ ь). */
const KAZAKH_WORDS = [
  ...sampleWords('kk', /\p{Script=Cyrillic}+/gu),
  ...['актёр', 'юрта', 'қоян', 'цех', 'чек', 'ащы', 'экономика', 'объект', 'мебель', 'щётка', 'Цюрих'],
].filter((w) => /[^ъь]/.test(w))

/** Runs of Chinese from the samples, cut into words of 1–4 characters. */
const CHINESE_WORDS = sampleWords('zh', /\p{Script=Han}+/gu).flatMap((run) => {
  const words: string[] = []
  for (let i = 0; i < run.length; i += 4) words.push(run.slice(i, i + 4))
  return words
})

/** A word with one of the apostrophe look-alikes Uzbek writers type for ʻ and ʼ. */
const withLookAlike = (word: string, mark: string) => word.replace(/[\u02BB\u02BC]/g, mark)

const uzbekWord = fc
  .tuple(
    fc.constantFrom(...UZBEK_WORDS),
    fc.constantFrom('\u02BB', "'", '‘', '’', '`'),
    fc.constantFrom('lower', 'capital', 'upper'),
  )
  .map(([word, mark, letterCase]) => {
    const marked = withLookAlike(word, mark)
    // An all-capital word of 2–5 letters reads as a foreign acronym: capitals only for longer words.
    if (letterCase === 'upper' && marked.length >= 6) return marked.toUpperCase()
    if (letterCase === 'capital') return marked.charAt(0).toUpperCase() + marked.slice(1)
    return marked
  })

const kazakhWord = fc
  .tuple(fc.constantFrom(...KAZAKH_WORDS), fc.constantFrom('lower', 'capital', 'upper'))
  .map(([word, letterCase]) =>
    letterCase === 'upper'
      ? word.toUpperCase()
      : letterCase === 'capital'
        ? word.charAt(0).toUpperCase() + word.slice(1)
        : word.toLowerCase(),
  )

const chineseWord = fc.oneof(
  fc.constantFrom(...CHINESE_WORDS),
  fc.constantFrom(...[...simplifiedOnlyCharacters()].sort()),
)

/** Between words: spaces, Latin digits and punctuation, and character references for non-letters. */
const LATIN_SCRIPT_GLUE = [
  ' ',
  ', ',
  '. ',
  ' — ',
  ' (',
  ') ',
  ' «',
  '» ',
  ' “',
  '” ',
  ' 2022 ',
  ' 15:30, ',
  ' № 7 ',
]
const CHINESE_GLUE = ['，', '。', '“', '”', '、', '（', '）', ' 2022年', '11月6日', ' ', '：']
const REFERENCES = [
  '&amp;',
  '&nbsp;',
  '&#8212;',
  '&#x2014;',
  '&lt;',
  '&gt;',
  '&quot;',
  '&laquo;',
  '&raquo;',
  '&copy;',
]

/** Source-script text as it sits in HTML source: words, glue and character references. */
function textOf(word: fc.Arbitrary<string>, glue: readonly string[]): fc.Arbitrary<string> {
  const separator = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...glue) },
    { weight: 1, arbitrary: fc.constantFrom(...REFERENCES) },
    { weight: 1, arbitrary: fc.constantFrom(...REFERENCES).map((r) => ` ${r} `) },
  )
  return fc
    .array(fc.tuple(word, separator), { minLength: 1, maxLength: 6 })
    .chain((pairs) =>
      fc
        .boolean()
        .map((trailing) => pairs.map(([w, s], i) => (i < pairs.length - 1 || trailing ? w + s : w)).join('')),
    )
}

/** An attribute value written double-quoted, single-quoted or (when it can be) unquoted. */
function attribute(name: string, value: string, quote: 0 | 1 | 2): string {
  if (quote === 2 && /^[^\s"'=<>`]+$/.test(value)) return ` ${name}=${value}`
  if (quote === 1) return ` ${name}='${value.replaceAll("'", '&#39;')}'`
  return ` ${name}="${value.replaceAll('"', '&quot;')}"`
}

const CONTAINERS = [
  'p',
  'div',
  'span',
  'a',
  'em',
  'strong',
  'figure',
  'figcaption',
  'blockquote',
  'h2',
  'q',
  'abbr',
]
const CODE = ['code', 'pre', 'kbd', 'samp']

/** HTML fragments of `text`: random nesting, human and non-text attributes, comments, code, script. */
function htmlOf(text: fc.Arbitrary<string>, word: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const quote = fc.constantFrom<0 | 1 | 2>(0, 1, 2)
  const humanAttribute = fc
    .tuple(fc.constantFrom('alt', 'title', 'aria-label'), fc.oneof(text, word), quote)
    .map(([name, value, q]) => ({ name, html: attribute(name, value, q) }))
  // Non-text values carry source-script letters too: they must come through untouched.
  const otherAttribute = fc
    .tuple(fc.constantFrom('href', 'src', 'class', 'id', 'data-note', 'lang'), word, quote)
    .map(([name, w, q]) => ({
      name,
      html: attribute(
        name,
        name === 'href' || name === 'src' ? `https://example.test/${w}/a.jpg?q=1&amp;x=2` : w,
        q,
      ),
    }))
  const attributes = fc
    .uniqueArray(fc.oneof(humanAttribute, otherAttribute), { maxLength: 4, selector: (a) => a.name })
    .map((list) => list.map((a) => a.html).join(''))
  const codeText = fc.tuple(text, fc.constantFrom(...REFERENCES)).map(([t, r]) => `${t}${r}`)
  const { node } = fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      text,
      fc
        .tuple(fc.constantFrom(...CONTAINERS), attributes, fc.array(tie('node'), { maxLength: 4 }))
        .map(([tag, attrs, children]) => `<${tag}${attrs}>${children.join('')}</${tag}>`),
      fc
        .tuple(fc.constantFrom('img', 'br'), attributes)
        .map(([tag, attrs]) => `<${tag}${attrs}${tag === 'img' ? ' /' : ''}>`),
      word.map((w) => `<!-- ${w} -->`),
      fc
        .tuple(fc.constantFrom(...CODE), attributes, codeText, fc.option(codeText))
        .map(
          ([tag, attrs, t, nested]) =>
            `<${tag}${attrs}>${t}${nested === null ? '' : `<b>${nested}</b>`}</${tag}>`,
        ),
      word.map((w) => `<script>var s = "${w}";</script><style>/* ${w} */ p{margin:0}</style>`),
    ),
  }))
  return fc.array(node, { minLength: 1, maxLength: 5 }).map((nodes) => nodes.join(''))
}

const GENERATED: Record<Variant, { word: fc.Arbitrary<string>; glue: readonly string[] }> = {
  'uz-cyrl': { word: uzbekWord, glue: LATIN_SCRIPT_GLUE },
  'kk-latn': { word: kazakhWord, glue: LATIN_SCRIPT_GLUE },
  'zh-hant': { word: chineseWord, glue: CHINESE_GLUE },
}

describe.each(VARIANTS)('converting HTML from $source to $variant', ({ source, variant }) => {
  const convert = DERIVATIONS[source]![variant]!.html
  const { word, glue } = GENERATED[variant]
  const html = htmlOf(textOf(word, glue), word)

  it('draws words that are mostly written with letters of the source script', () => {
    const words = fc.sample(word, 100)
    expect(words.filter((w) => sourceLettersIn(variant, w).length > 0).length).toBeGreaterThan(50)
  })

  it('leaves no letter of the source script in any text or alt, title or aria-label', () => {
    fc.assert(
      fc.property(html, (fragment) => {
        const left = htmlParts(convert(fragment)).human.filter((t) => sourceLettersIn(variant, t).length > 0)
        expect(left).toEqual([])
      }),
      { numRuns: 200 },
    )
  })

  it('parses back to the same elements, attributes, comments and code', () => {
    fc.assert(
      fc.property(html, (fragment) => {
        expect(htmlShape(convert(fragment))).toEqual(htmlShape(fragment))
      }),
      { numRuns: 200 },
    )
  })
})
