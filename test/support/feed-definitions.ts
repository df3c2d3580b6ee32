import { LOCALES } from '../../src/domain/locale.ts'

const CACHE = { maxAge: 300, staleWhileRevalidate: 600, staleIfError: 86400 }

/** A feed definition file's content, as a FEEDS_DIR holds one: a catalogue a test makes up. */
export function feedDefinition(
  id: string,
  sections: string[],
  level: 'full' | 'excerpt' | 'none',
  locales: readonly string[] = LOCALES,
) {
  return { id, sections, locales: [...locales], limit: 50, public: level, cache: CACHE }
}
