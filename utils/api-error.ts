import type { ErrorBody } from '../shared/protocol/error-codes'

/** A failed API call: HTTP status plus the protocol's stable `code` and per-field messages. */
export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public fields?: Record<string, string>) {
    super(message)
    this.name = 'ApiError'
  }

  static async from(res: Response): Promise<ApiError> {
    let body: Partial<ErrorBody> = {}
    try {
      body = await res.json()
    }
    catch { /* not JSON (a proxy error page): keep the status */ }
    return new ApiError(res.status, body.code ?? (res.status === 0 ? 'NETWORK' : 'HTTP_' + res.status), body.error ?? res.statusText, body.fields)
  }
}

export function isApiError(e: unknown, code?: string): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code)
}
