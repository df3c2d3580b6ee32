import { XMLParser } from 'fast-xml-parser'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requireTool, run } from '../conformance/tools.ts'

// libxml2's HTML parser predates HTML5 and calls its elements invalid; that one message aside,
// every complaint it makes (unclosed or stray tags, broken attributes, bad entities) is a failure.
const HTML5_ELEMENTS = new Set(['header', 'nav', 'main', 'section', 'article', 'footer', 'time'])

/**
 * Problems `xmllint` finds in documents (one text, or texts by file name, checked in one run): parsed
 * as HTML (`--html`) or as XML, since the pages are written to be both (and OPML must be XML). Each
 * problem line names its file. Empty when every document is well-formed.
 */
export async function xmllintProblems(
  documents: string | Record<string, string>,
  mode: 'html' | 'xml',
): Promise<string[]> {
  requireTool('xmllint', 'libxml2-utils')
  const named =
    typeof documents === 'string' ? { [mode === 'html' ? 'page.html' : 'doc.xml']: documents } : documents
  const dir = mkdtempSync(join(tmpdir(), 'silkfeed-html-'))
  try {
    const paths = Object.entries(named).map(([name, text]) => {
      const path = join(dir, name)
      writeFileSync(path, text)
      return path
    })
    const args = mode === 'html' ? ['--html', '--noout', ...paths] : ['--noout', ...paths]
    const { code, stderr } = await run('xmllint', args)
    const problems = stderr
      .split('\n')
      .filter((line) => / error : /.test(line))
      .filter((line) => {
        const tag = / error : Tag (\w+) invalid/.exec(line)?.[1]
        return !(mode === 'html' && tag && HTML5_ELEMENTS.has(tag))
      })
      .map((line) => line.replace(`${dir}/`, ''))
    if (mode === 'xml' && code !== 0 && problems.length === 0) problems.push(stderr || `exit ${code}`)
    return problems
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export type Node = Record<string, unknown>

/** A page or OPML document as a tree (attributes as `@_name`); repeated elements are always arrays. */
export function parseMarkup(text: string): Node {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    isArray: (name) =>
      ['link', 'section', 'article', 'li', 'a', 'ol', 'ul', 'p', 'h2', 'h4', 'outline', 'time'].includes(
        name,
      ),
    // Text of elements with mixed content, e.g. `<h2>Name <span>…</span></h2>`.
    textNodeName: '#text',
  }).parse(text) as Node
}

/** Every element called `name` anywhere under `node`, in document order per parent. */
export function findAll(node: unknown, name: string): unknown[] {
  if (!node || typeof node !== 'object') return []
  if (Array.isArray(node)) return node.flatMap((n) => findAll(n, name))
  const out: unknown[] = []
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@_')) continue
    if (key === name) out.push(...[value].flat())
    out.push(...findAll(value, name))
  }
  return out
}

/** The text content of a parsed element (a string, or its `#text`). */
export function textOf(node: unknown): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node)
  if (node && typeof node === 'object' && '#text' in node) return String((node as Node)['#text'])
  return ''
}

/** An attribute of a parsed element. */
export function attrOf(node: unknown, name: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined
  const value = (node as Node)[`@_${name}`]
  return typeof value === 'string' ? value : undefined
}
