/**
 * Simplified → Traditional Chinese with opencc-js (phrase-level OpenCC, LOCALES.md §7), using the
 * Taiwan standard forms (`cn` → `tw`, OpenCC s2tw): 為 群眾 著 裡 rather than OpenCC's own 爲 羣衆 着 裏.
 * Tag the output `zh-Hant-TW` (LOCALES.md §1); the RSS `<language>` stays `zh-tw`.
 *
 * Building the converter loads ~1 MB of dictionaries and costs 150–350 ms of CPU, so it happens once,
 * on first use, never at import. Convert at ingest (Node) rather than per request in a Worker.
 */
import { ConverterBuilder, type ConverterFunction, type DictGroup, type LocalePreset } from 'opencc-js/core'
import * as cn2t from 'opencc-js/preset/cn2t'
import { LANGUAGE_TAG } from '../locale.ts'
import { mapHtmlTextRuns, mapOutsideCharacterReferences } from './html-text.ts'
import { findLinks } from './links.ts'

/** The language tag of {@link simplifiedToTraditional} output: the zh-hant locale's, one source. */
export const TRADITIONAL_CHINESE_TAG = LANGUAGE_TAG['zh-hant']

/**
 * Our phrases, ahead of OpenCC's. OpenCC maps 个中 to 箇中 ("therein"), which is right only in the
 * literary phrases kept below; everywhere else 个 is the measure word before a word that begins with
 * 中 (首个中国 → 首個中國, 一个中心 → 一個中心).
 */
const OVERRIDES = [
  '个中 個中',
  '个中滋味 箇中滋味',
  '个中原委 箇中原委',
  '个中缘由 箇中緣由',
  '个中奥妙 箇中奧妙',
  '个中三昧 箇中三昧',
  '个中玄机 箇中玄機',
  '个中好手 箇中好手',
  '个中人 箇中人',
  ...andThenVerbs(),
].join('|')

/**
 * 并 before a verb that begins with 发 is the conjunction "and" (并发送 "and sends", 并发布 "and
 * publishes": 並), but OpenCC segments 并发 ("concurrent", 併發) first and gives 併發送. The verbs of
 * news copy that begin with 发, Simplified and Taiwan forms; 并发症, 高并发 and the like keep 併發.
 */
function andThenVerbs(): string[] {
  const verbs =
    '发送 發送,发布 發佈,发出 發出,发生 發生,发起 發起,发放 發放,发挥 發揮,发给 發給,发言 發言,' +
    '发行 發行,发射 發射,发来 發來,发回 發回,发往 發往,发电 發電,发声 發聲,发文 發文,发函 發函,' +
    '发帖 發帖,发誓 發誓,发力 發力,发货 發貨,发牌 發牌,发证 發證,发售 發售,发掘 發掘'
  return verbs.split(',').map((pair) => {
    const [simplified, traditional] = pair.split(' ')
    return `并${simplified} 並${traditional}`
  })
}

/**
 * opencc-js's `s2tw` with {@link OVERRIDES} first in the segmentation and in the phrase group of the
 * conversion chain (`Trie.loadDictGroup` loads a group in reverse, so its first dictionary wins).
 */
function taiwanPreset(): LocalePreset {
  const base = cn2t.configs.s2tw!
  const segmentation = base.segmentation as unknown as DictGroup
  const [phrases = [], ...rest] = base.conversionChain
  return {
    ...cn2t,
    configs: {
      ...cn2t.configs,
      s2tw: {
        ...base,
        segmentation: [OVERRIDES, ...segmentation],
        conversionChain: [[OVERRIDES, ...phrases], ...rest],
      },
    },
  }
}

let converter: ConverterFunction | undefined

/** Quotation marks of zh-Hans and their zh-Hant forms (LOCALES.md §6: 「」 outer, 『』 inner). */
const CORNER_BRACKETS: Readonly<Record<string, string>> = { '“': '「', '”': '」', '‘': '『', '’': '』' }

const isLatinLetter = (c: string | undefined): boolean => c !== undefined && /\p{Script=Latin}/u.test(c)

/**
 * `text[start, end)` with its quotation marks as corner brackets; a single mark between two Latin
 * letters is an apostrophe (O’Brien) and stays. The letters around the slice count as context, and
 * `before` stands for the one before the text (the end of the previous HTML text node).
 */
function cornerBrackets(text: string, start: number, end: number, before?: string): string {
  let out = ''
  for (let i = start; i < end; i++) {
    const c = text[i]!
    const bracket = CORNER_BRACKETS[c]
    const previous = i === 0 ? before : text[i - 1]
    const apostrophe = (c === '’' || c === '‘') && isLatinLetter(previous) && isLatinLetter(text[i + 1])
    out += bracket === undefined || apostrophe ? c : bracket
  }
  return out
}

/**
 * Converts Simplified Chinese text to Traditional (Taiwan standard), with “…” and ‘…’ as 「…」 and
 * 『…』; links pass through.
 */
export function simplifiedToTraditional(text: string): string {
  return toTraditional(text)
}

/** {@link simplifiedToTraditional}, `before` being the character that precedes `text` (see cornerBrackets). */
function toTraditional(text: string, before?: string): string {
  converter ??= ConverterBuilder(taiwanPreset())({ from: 'cn', to: 'tw' })
  const convert = converter
  const part = (start: number, end: number) => convert(cornerBrackets(text, start, end, before))
  let out = ''
  let last = 0
  for (const [start, end] of findLinks(text)) {
    if (start > last) out += part(last, start)
    out += text.slice(start, end)
    last = end
  }
  return last < text.length ? out + part(last, text.length) : out
}

/** The character references of curly quotation marks (`&ldquo;`, `&#8221;`, `&#x2018;`). */
const QUOTATION_MARK_REFERENCE =
  /&(?:[lr][sd]quo;|#0*82(?:1[67]|2[01])(?![0-9]);?|#[xX]0*201[89cCdD](?![0-9a-fA-F]);?)/g

const QUOTATION_MARK_OF_REFERENCE: Readonly<Record<string, string>> = {
  l: '“',
  r: '”',
  ls: '‘',
  rs: '’',
  '8220': '“',
  '8221': '”',
  '8216': '‘',
  '8217': '’',
}

/** The quotation mark a reference in QUOTATION_MARK_REFERENCE stands for. */
function quotationMarkOf(reference: string): string {
  const named = /^&([lr])([sd])quo;$/.exec(reference)
  if (named) return QUOTATION_MARK_OF_REFERENCE[named[2] === 's' ? `${named[1]}s` : named[1]!]!
  const hex = /^&#[xX]0*([0-9a-fA-F]+);?$/.exec(reference)
  const code = hex ? String(Number.parseInt(hex[1]!, 16)) : reference.replace(/^&#0*|;$/g, '')
  return QUOTATION_MARK_OF_REFERENCE[code]!
}

/**
 * {@link simplifiedToTraditional} over the text nodes of an HTML fragment; markup is never touched.
 * Quotation marks written as character references (`&ldquo;…&rdquo;`) become corner brackets too.
 */
export function simplifiedToTraditionalHtml(html: string): string {
  // The last character of the previous text run: `<b>Trump</b>’s` keeps its apostrophe.
  let before: string | undefined
  return mapHtmlTextRuns(html, (raw) => {
    const run = raw.replace(QUOTATION_MARK_REFERENCE, quotationMarkOf)
    const context = before
    before = run.at(-1)
    return mapOutsideCharacterReferences(run, (piece) =>
      toTraditional(piece, run.startsWith(piece) ? context : undefined),
    )
  })
}
