import type { z } from 'zod'

/** One thing wrong with an input, located by a JSON path such as `$.upsert[0].title`. */
export interface Problem {
  path: string
  message: string
}

/** Renders a zod issue path as a JSON path. */
export function toJsonPath(path: readonly PropertyKey[], root = '$'): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`
    const name = String(key)
    return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${acc}.${name}` : `${acc}[${JSON.stringify(name)}]`
  }, root)
}

/** Turns every zod issue into a problem an editor can act on. */
export function problemsFromZod(error: z.ZodError, root = '$'): Problem[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return {
        path: toJsonPath(issue.path, root),
        message: `has unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove them`,
      }
    }
    return { path: toJsonPath(issue.path, root), message: issue.message }
  })
}
