import type { z } from 'zod'
import type enProblems from '../../locales/en/problems.json'

/** Parameters of a problem message: numbers, and the client's input only as an excerpt. */
export type MessageParams = Record<string, string | number>

type PluralSuffix = '_zero' | '_one' | '_two' | '_few' | '_many' | '_other'
type WithoutPlural<K> = K extends `${infer Base}${PluralSuffix}` ? Base : K

/** A key of `messages` in `locales/<lang>/problems.json`: what to fix, in any language. */
export type MessageKey = WithoutPlural<keyof (typeof enProblems)['messages']>

/**
 * One thing wrong with an input, located by a JSON path such as `$.upsert[0].title`, and what to fix
 * as a message key with its parameters: the HTTP layer writes it in the client's language.
 */
export interface Problem {
  path: string
  key: MessageKey
  params?: MessageParams
}

/** How much of a client's own input a problem quotes back. */
const EXCERPT_MAX = 100

/**
 * At most `max` characters of a text, marked with `…` when cut (never inside a surrogate pair): what
 * a problem may quote of a client's input, which can be megabytes long.
 */
export function excerpt(text: string, max = EXCERPT_MAX): string {
  if (text.length <= max) return text
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max
  return `${text.slice(0, end)}…`
}

/** Renders a zod issue path as a JSON path. */
export function toJsonPath(path: readonly PropertyKey[], root = '$'): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`
    const name = excerpt(String(key))
    return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${acc}.${name}` : `${acc}[${JSON.stringify(name)}]`
  }, root)
}

// A schema's own message is a message key behind this mark (see `says`); any other message is zod's
// English default, replaced by a key chosen from the issue's code.
const MARK = 'silkfeed-message:'

/**
 * A zod error message that stands for a message key and its parameters:
 * `.regex(pattern, says('slug', { max: 64 }))`. Names and examples the message quotes (field names,
 * formats) are parameters, so that no script conversion of the locale files touches them.
 */
export function says(key: MessageKey, params?: MessageParams): string {
  return `${MARK}${JSON.stringify(params ? { key, params } : { key })}`
}

/**
 * The options to parse client input with: each issue keeps its input, so a missing field ("is
 * required") is told apart from one of the wrong type.
 */
export const REPORT_INPUT = { reportInput: true } as const

const TYPE_KEYS: Partial<Record<string, MessageKey>> = {
  string: 'mustBeString',
  number: 'mustBeNumber',
  int: 'mustBeWholeNumber',
  boolean: 'mustBeBoolean',
  array: 'mustBeArray',
  object: 'mustBeObject',
}

/** The limit a size issue names, as `count` (the messages choose their plural form by it). */
function sizeParams(issue: z.core.$ZodIssue): MessageParams {
  if (issue.code === 'too_small') return { count: Number(issue.minimum) }
  if (issue.code === 'too_big') return { count: Number(issue.maximum) }
  return {}
}

function messageOf(issue: z.core.$ZodIssue): { key: MessageKey; params?: MessageParams } {
  // A schema's own message is about a value it was given; a missing field is the same problem everywhere.
  if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined)
    return { key: 'required' }
  if (issue.message.startsWith(MARK)) {
    const own = JSON.parse(issue.message.slice(MARK.length)) as { key: MessageKey; params?: MessageParams }
    const found = issue.code === 'custom' ? (issue.params as MessageParams | undefined) : undefined
    return { key: own.key, params: { ...sizeParams(issue), ...own.params, ...found } }
  }
  switch (issue.code) {
    case 'invalid_type':
      return { key: TYPE_KEYS[issue.expected] ?? 'wrongType', params: { expected: issue.expected } }
    case 'too_small': {
      const count = Number(issue.minimum)
      if (issue.origin === 'string')
        return count === 1 ? { key: 'notEmpty' } : { key: 'tooShort', params: { count } }
      if (issue.origin === 'array' || issue.origin === 'set') return { key: 'tooFewItems', params: { count } }
      return { key: issue.inclusive === false ? 'greaterThan' : 'atLeast', params: { limit: count } }
    }
    case 'too_big': {
      const count = Number(issue.maximum)
      if (issue.origin === 'string') return { key: 'tooLong', params: { count } }
      if (issue.origin === 'array' || issue.origin === 'set')
        return { key: 'tooManyItems', params: { count } }
      return { key: issue.inclusive === false ? 'lessThan' : 'atMost', params: { limit: count } }
    }
    case 'invalid_value':
      return { key: 'oneOf', params: { allowed: issue.values.map((v) => String(v)).join(', ') } }
    case 'invalid_format':
      if (issue.format === 'url') return { key: 'httpUrl' }
      if (issue.format === 'datetime') return { key: 'dateTime' }
      return { key: 'format' }
    case 'unrecognized_keys':
      return {
        key: 'unknownFields',
        params: { fields: issue.keys.map((k) => `"${excerpt(k)}"`).join(', ') },
      }
    default:
      return { key: 'invalid' }
  }
}

/** Turns every zod issue into a problem an editor can act on. */
export function problemsFromZod(error: z.ZodError, root = '$'): Problem[] {
  return error.issues.map((issue) => {
    const { key, params } = messageOf(issue)
    const path = toJsonPath(issue.path, root)
    return params && Object.keys(params).length > 0 ? { path, key, params } : { path, key }
  })
}

/** Each problem once (the same path, key and parameters found by two checks), in first-found order. */
export function distinctProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>()
  return problems.filter((p) => {
    const id = JSON.stringify([p.path, p.key, p.params ?? {}])
    return !seen.has(id) && seen.add(id)
  })
}

/**
 * Each zod issue with the schema's own English message, for operators' start-up errors (feed
 * definitions, configuration): schemas written for operators, not editors.
 */
export function issueLines(error: z.ZodError, root = '$'): { path: string; message: string }[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return {
        path: toJsonPath(issue.path, root),
        message: `has unknown field(s) ${issue.keys.map((k) => `"${excerpt(k)}"`).join(', ')}; remove them`,
      }
    }
    return { path: toJsonPath(issue.path, root), message: issue.message }
  })
}
