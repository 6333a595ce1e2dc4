/**
 * Calls the REST API as the logged-in user: adds the bearer token, refreshes it once on a 401 and
 * retries, and sends the user back to the login page when the session is really over.
 */
import { ApiError } from '~/utils/api-error'

export type ApiQuery = Record<string, string | number | undefined | null>

export function useApi() {
  const auth = useAuthStore()

  async function request<T>(method: string, path: string, options: { body?: unknown, query?: ApiQuery } = {}): Promise<T> {
    const qs = options.query
      ? new URLSearchParams(Object.entries(options.query).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)])).toString()
      : ''
    const url = '/api/v1' + path + (qs ? `?${qs}` : '')
    for (let attempt = 0; ; attempt++) {
      const token = await auth.freshToken()
      if (!token) throw noToken()
      const headers: Record<string, string> = { authorization: `Bearer ${token}` }
      if (options.body !== undefined) headers['content-type'] = 'application/json'
      let res: Response
      try {
        res = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) })
      }
      catch {
        throw new ApiError(0, 'NETWORK', 'Network error')
      }
      if (res.status === 401 && attempt === 0) {
        if (await auth.refresh()) continue
        throw noToken()
      }
      if (!res.ok) throw await ApiError.from(res)
      if (res.status === 204) return undefined as T
      const text = await res.text()
      return (text ? JSON.parse(text) : undefined) as T
    }
  }

  /**
   * No usable token. If refreshing was refused the session is over (back to login); if it only
   * failed to reach the server, the session may be fine: report a network error instead.
   */
  function noToken(): ApiError {
    if (auth.isLoggedIn) return new ApiError(0, 'NETWORK', 'Network error')
    void navigateTo({ path: '/login', query: { expired: '1' } })
    return new ApiError(401, 'UNAUTHORIZED', 'Session expired')
  }

  return {
    get: <T>(path: string, query?: ApiQuery) => request<T>('GET', path, { query }),
    post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, { body }),
    put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
    del: (path: string) => request<undefined>('DELETE', path),
  }
}
