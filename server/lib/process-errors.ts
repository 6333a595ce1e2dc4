/**
 * Errors nothing caught. Nitro keeps the process alive after them (and prints its own line), so
 * each one is also logged here with a running count: an operator can alert on `uncaught_count`,
 * and the abuse suite asserts it never appears.
 */
import { errorFields, log } from './logger'

let count = 0

/** Logs one uncaught exception or unhandled rejection; returns how many there have been. */
export function recordProcessError(kind: 'uncaught exception' | 'unhandled rejection', err: unknown): number {
  count++
  log.error(kind, { uncaught_count: count, ...errorFields(err) })
  return count
}
