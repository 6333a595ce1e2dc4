/** A tiny structured logger: one JSON line per entry. Callers pass fields, never tokens or passwords. */
import { useConfig } from './config/env'

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const
type Level = Exclude<keyof typeof LEVELS, 'silent'>

function write(level: Level, msg: string, fields?: Record<string, unknown>) {
  let threshold: number = LEVELS.info
  try {
    threshold = LEVELS[useConfig().logLevel]
  }
  catch { /* config not valid yet: log anyway */ }
  if (LEVELS[level] < threshold) return
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })
  if (level === 'error' || level === 'warn') process.stderr.write(line + '\n')
  else process.stdout.write(line + '\n')
}

/** Only the name and message of an error, never its SQL or the values it was called with. */
export function errorFields(err: unknown): Record<string, unknown> {
  const e = err as { name?: string, code?: string, message?: string, stack?: string, cause?: { code?: string } }
  // Drizzle puts the query and its parameters in the message: keep neither.
  const message = typeof e?.message === 'string' ? e.message.split('\nparams:')[0]!.replace(/^Failed query:.*/s, 'Failed query') : String(err)
  // The stack begins with the message again (SQL and `params:` lines included): keep only frames.
  const frames = e?.stack?.split('\n').filter(line => /^\s*at /.test(line)).slice(0, 5).join(' | ')
  return { err_name: e?.name, err_code: e?.code ?? e?.cause?.code, err_message: message.slice(0, 300), stack: frames }
}

export const log = {
  debug: (msg: string, f?: Record<string, unknown>) => write('debug', msg, f),
  info: (msg: string, f?: Record<string, unknown>) => write('info', msg, f),
  warn: (msg: string, f?: Record<string, unknown>) => write('warn', msg, f),
  error: (msg: string, f?: Record<string, unknown>) => write('error', msg, f),
}
