import type { z } from 'zod'

/** One thing wrong with an input, located by a JSON path such as `$.upsert[0].title`. */
export interface Problem {
  path: string
  message: string
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
function toJsonPath(path: readonly PropertyKey[], root = '$'): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`
    const name = excerpt(String(key))
    return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${acc}.${name}` : `${acc}[${JSON.stringify(name)}]`
  }, root)
}

/** Turns every zod issue into a problem an editor can act on. */
export function problemsFromZod(error: z.ZodError, root = '$'): Problem[] {
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
