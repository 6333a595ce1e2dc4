import type { ZodError } from 'zod'
import { ERROR_CODES, type ErrorBody, type ErrorCode } from '../../../shared/protocol/error-codes'

/**
 * The one error type services and handlers throw. Its message is shown to the user as is, so it
 * must never carry internals; anything that is not an AppError becomes a bare 500.
 */
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: ErrorCode,
    message: string,
    public readonly fields?: Record<string, string>,
    public readonly retryAfterSeconds?: number,
  ) {
    super(message)
  }

  toBody(): ErrorBody {
    return this.fields ? { error: this.message, code: this.code, fields: this.fields } : { error: this.message, code: this.code }
  }
}

export const badRequest = (message: string, fields?: Record<string, string>) => new AppError(400, ERROR_CODES.VALIDATION_FAILED, message, fields)
export const unauthorized = (message = 'Authentication required', code: ErrorCode = ERROR_CODES.UNAUTHORIZED) => new AppError(401, code, message)
export const forbidden = (message = 'You are not allowed to do that') => new AppError(403, ERROR_CODES.FORBIDDEN, message)
export const notFound = (what = 'Resource') => new AppError(404, ERROR_CODES.NOT_FOUND, `${what} not found`)
export const conflict = (code: ErrorCode, message: string, fields?: Record<string, string>) => new AppError(409, code, message, fields)
export const rateLimited = (retryAfterSeconds: number) => new AppError(429, ERROR_CODES.RATE_LIMITED, 'Too many requests, try again later', undefined, Math.max(1, Math.ceil(retryAfterSeconds)))
export const payloadTooLarge = (limit: number) => new AppError(413, ERROR_CODES.PAYLOAD_TOO_LARGE, `Request body is larger than ${limit} bytes`)
export const unavailable = () => new AppError(503, ERROR_CODES.SERVICE_UNAVAILABLE, 'The service is temporarily unavailable, try again shortly')

/** Turns a zod failure into a 400 with one message per field ("content": "Too long"). */
export function fromZodError(error: ZodError, message = 'Invalid input'): AppError {
  const fields: Record<string, string> = {}
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_'
    fields[key] ??= issue.message
  }
  return badRequest(message, fields)
}

/** MySQL/MariaDB errors that mean "the database is not reachable right now", not a bug. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string })?.code
  return !!code && ['ECONNREFUSED', 'ECONNRESET', 'PROTOCOL_CONNECTION_LOST', 'ETIMEDOUT', 'ER_CON_COUNT_ERROR', 'EPIPE', 'ER_SERVER_SHUTDOWN', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', 'ENOTFOUND'].includes(code)
}

export function isDuplicateKey(err: unknown, key?: string): boolean {
  const e = err as { code?: string, errno?: number, sqlMessage?: string, cause?: unknown }
  if (e?.cause && !e.code) return isDuplicateKey(e.cause, key)
  if (e?.code !== 'ER_DUP_ENTRY') return false
  return key ? !!e.sqlMessage?.includes(key) : true
}

/** Normalizes anything thrown into an AppError that is safe to show. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  const cause = (err as { cause?: unknown })?.cause
  if (isConnectionError(err) || isConnectionError(cause)) return unavailable()
  return new AppError(500, ERROR_CODES.INTERNAL, 'Something went wrong on our side')
}
