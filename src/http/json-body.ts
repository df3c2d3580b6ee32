import { AppError } from './errors.ts'

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * A request body parsed as JSON in UTF-8, or the error that says what is wrong with it in the
 * client's language: BODY_NOT_UTF8 with the offset of the first byte that is not UTF-8, or
 * MALFORMED_JSON with the line and column where the JSON goes wrong (never the runtime's own English
 * text, which differs between V8 versions and says nothing on some).
 */
export function parseJsonBody(body: Uint8Array): unknown {
  let text: string
  try {
    text = decoder.decode(body)
  } catch {
    throw bodyError(body)
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw bodyError(body)
  }
}

/** Why a body that JSON.parse (or the UTF-8 decoder) refused is not JSON in UTF-8. */
export function bodyError(body: Uint8Array): AppError {
  const badByte = firstNonUtf8Byte(body)
  if (badByte >= 0) return new AppError('BODY_NOT_UTF8', { offset: badByte })
  const text = new TextDecoder().decode(body)
  const offset = jsonErrorOffset(text)
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - (before.lastIndexOf('\n') + 1) + 1
  const reason = offset >= text.length ? 'jsonReasons.end' : 'jsonReasons.unexpected'
  return new AppError('MALFORMED_JSON', { reason, line, column, offset }, [], {}, ['reason'])
}

/** The offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
function firstNonUtf8Byte(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let length: number
    let min: number
    if (b >= 0xc2 && b <= 0xdf) [length, min] = [2, 0x80]
    else if (b >= 0xe0 && b <= 0xef) [length, min] = [3, 0x800]
    else if (b >= 0xf0 && b <= 0xf4) [length, min] = [4, 0x10000]
    else return i
    let code = b & (0xff >> (length + 1))
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k]
      if (next === undefined || (next & 0xc0) !== 0x80) return i
      code = (code << 6) | (next & 0x3f)
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i
    i += length
  }
  return -1
}

/**
 * Where a text stops being JSON (RFC 8259): the offset of the first character that cannot continue
 * it, or its length when it ends too early. Only asked of texts JSON.parse refused.
 */
function jsonErrorOffset(text: string): number {
  let i = 0
  const fail = (at: number): never => {
    throw new JsonStop(at)
  }
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const literal = (word: string) => {
    for (const ch of word) if (text[i++] !== ch) fail(i - 1)
  }
  const digits = () => {
    if (!/[0-9]/.test(text[i] ?? '')) fail(i)
    while (/[0-9]/.test(text[i] ?? '')) i++
  }
  const string = () => {
    i++ // the opening quote
    for (;;) {
      if (i >= text.length) fail(i)
      const ch = text[i]!
      if (ch === '"') {
        i++
        return
      }
      if (ch < ' ') fail(i)
      if (ch === '\\') {
        i++
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) fail(i + k)
          i += 5
        } else if (i < text.length && '"\\/bfnrt'.includes(text[i]!)) i++
        else fail(i)
      } else i++
    }
  }
  const value = (): void => {
    ws()
    const ch = text[i]
    if (ch === '{') {
      i++
      ws()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail(i)
        string()
        ws()
        if (text[i] !== ':') fail(i)
        i++
        value()
        ws()
        if (text[i] === ',') i++
        else if (text[i] === '}') {
          i++
          return
        } else fail(i)
      }
    }
    if (ch === '[') {
      i++
      ws()
      if (text[i] === ']') {
        i++
        return
      }
      for (;;) {
        value()
        ws()
        if (text[i] === ',') i++
        else if (text[i] === ']') {
          i++
          return
        } else fail(i)
      }
    }
    if (ch === '"') {
      string()
      return
    }
    if (ch === 't') {
      literal('true')
      return
    }
    if (ch === 'f') {
      literal('false')
      return
    }
    if (ch === 'n') {
      literal('null')
      return
    }
    if (ch === '-' || /[0-9]/.test(ch ?? '')) {
      if (ch === '-') i++
      if (text[i] === '0') i++
      else digits()
      if (text[i] === '.') {
        i++
        digits()
      }
      if (text[i] === 'e' || text[i] === 'E') {
        i++
        if (text[i] === '+' || text[i] === '-') i++
        digits()
      }
      return
    }
    fail(i)
  }
  try {
    value()
    ws()
    return i < text.length ? i : text.length
  } catch (stop) {
    if (stop instanceof JsonStop) return Math.min(stop.at, text.length)
    throw stop
  }
}

class JsonStop extends Error {
  constructor(readonly at: number) {
    super(`JSON stops at ${at}`)
  }
}
