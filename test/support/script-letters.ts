import * as cn2t from 'opencc-js/preset/cn2t'
import { parseFragment, type DefaultTreeAdapterMap } from 'parse5'
import { simplifiedToTraditional } from '../../src/domain/script/chinese.ts'

/** The script variants Silkfeed derives, and the locale each is derived from. */
export const VARIANTS = [
  { variant: 'uz-cyrl', source: 'uz' },
  { variant: 'kk-latn', source: 'kk' },
  { variant: 'zh-hant', source: 'zh' },
] as const

export type Variant = (typeof VARIANTS)[number]['variant']

/**
 * Uzbek Latin letters: a-z, oʻ/gʻ's U+02BB and the tutuq belgisi U+02BC, and an apostrophe
 * look-alike standing between two letters (which Uzbek Latin reads as the tutuq belgisi).
 */
const UZBEK_LATIN_LETTER = /[A-Za-z\u02BB\u02BC]|(?<=\p{L})['‘’`´](?=\p{L})/gu

/** Any Cyrillic letter: Kazakh Cyrillic, Russian loan letters included, has them all. */
const CYRILLIC_LETTER = /\p{Script=Cyrillic}/gu

let simplifiedOnly: ReadonlySet<string> | undefined

/**
 * Simplified characters, as the converter in use sees them: those it changes on their own and that
 * stand on no Traditional side of its dictionaries (opencc-js `cn` → `tw`). 干 and 后 are not among
 * them (干涉 and 皇后 keep them), nor 吃 or 群 (Taiwan's standard forms).
 */
export function simplifiedOnlyCharacters(): ReadonlySet<string> {
  if (simplifiedOnly) return simplifiedOnly
  const traditional = new Set<string>()
  const simplified = new Set<string>()
  for (const group of [...cn2t.from.cn!, ...cn2t.to.tw!]) {
    for (const dict of group as readonly unknown[]) {
      if (typeof dict !== 'string') throw new Error('opencc-js dictionaries are expected as text')
      for (const entry of dict.split('|')) {
        const [from, ...to] = entry.split(' ')
        for (const character of to.join('')) traditional.add(character)
        if (group === cn2t.from.cn![0] && from) for (const character of from) simplified.add(character)
      }
    }
  }
  simplifiedOnly = new Set(
    [...simplified].filter((c) => !traditional.has(c) && simplifiedToTraditional(c) !== c),
  )
  return simplifiedOnly
}

/**
 * The letters of the variant's source script found in `text`: what must be gone once a text is
 * converted (see each definition above).
 */
export function sourceLettersIn(variant: Variant, text: string): string[] {
  switch (variant) {
    case 'uz-cyrl':
      return text.match(UZBEK_LATIN_LETTER) ?? []
    case 'kk-latn':
      return text.match(CYRILLIC_LETTER) ?? []
    case 'zh-hant': {
      const only = simplifiedOnlyCharacters()
      return Array.from(text).filter((c) => only.has(c))
    }
  }
}

/** Attributes whose value a reader or a screen reader meets. */
const HUMAN_ATTRIBUTES = new Set(['alt', 'title', 'aria-label'])

/** Elements whose content is code (or script and style): never converted. */
const CODE_ELEMENTS = new Set(['code', 'pre', 'kbd', 'samp', 'script', 'style'])

type Node = DefaultTreeAdapterMap['node']

/** What an HTML fragment shows a reader, and what it holds as code, parsed by parse5. */
export interface HtmlParts {
  /** Text nodes outside code elements, and the values of HUMAN_ATTRIBUTES. */
  human: string[]
  /** Text inside code, pre, kbd, samp, script and style. */
  code: string[]
}

/** The human-readable and the code parts of an HTML fragment. */
export function htmlParts(html: string): HtmlParts {
  const parts: HtmlParts = { human: [], code: [] }
  const walk = (node: Node, inCode: boolean) => {
    if (node.nodeName === '#text') {
      ;(inCode ? parts.code : parts.human).push((node as DefaultTreeAdapterMap['textNode']).value)
      return
    }
    if ('attrs' in node) {
      for (const attr of node.attrs) if (HUMAN_ATTRIBUTES.has(attr.name)) parts.human.push(attr.value)
    }
    const code = inCode || CODE_ELEMENTS.has(node.nodeName)
    for (const child of 'childNodes' in node ? node.childNodes : []) walk(child, code)
  }
  walk(parseFragment(html), false)
  return parts
}

/**
 * The shape of an HTML fragment without its human text, as parse5 builds it: element names,
 * attribute names in order, every other attribute value, comments, and the text of code elements.
 * Two fragments that differ only in what a reader reads have the same shape.
 */
export function htmlShape(html: string): unknown {
  const shape = (node: Node, inCode: boolean): unknown => {
    if (node.nodeName === '#text') {
      return inCode ? { code: (node as DefaultTreeAdapterMap['textNode']).value } : '#text'
    }
    if (node.nodeName === '#comment') return { comment: (node as DefaultTreeAdapterMap['commentNode']).data }
    const code = inCode || CODE_ELEMENTS.has(node.nodeName)
    const attrs =
      'attrs' in node
        ? node.attrs.map((a) => (HUMAN_ATTRIBUTES.has(a.name) ? [a.name] : [a.name, a.value]))
        : []
    const children = 'childNodes' in node ? node.childNodes.map((c) => shape(c, code)) : []
    return { name: node.nodeName, attrs, children }
  }
  return shape(parseFragment(html), false)
}
