import type { Logger } from '../services/feed-service.ts'

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const
export type LogLevel = keyof typeof LEVELS

/** JSON lines on the console, which both Node and Workers collect. */
export function createJsonLogger(
  level: LogLevel,
  now: () => number = Date.now,
): Logger & {
  info(message: string, fields?: Record<string, unknown>): void
} {
  const write = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < LEVELS[level]) return
    console.log(JSON.stringify({ time: new Date(now()).toISOString(), level: lvl, message, ...fields }))
  }
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  }
}
