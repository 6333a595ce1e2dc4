import { deleteCookie, getCookie, getHeader, getRequestURL, setCookie, type H3Event } from 'h3'
import { useConfig } from '../config/env'
import { forbidden } from '../errors/app-error'

/** The web app keeps its refresh token in this httpOnly cookie, scoped to the auth routes. */
export const REFRESH_COOKIE = 'mm_refresh'
const COOKIE_PATH = '/api/v1/auth'

function isSecure(event: H3Event): boolean {
  return useConfig().env === 'production' || getRequestURL(event).protocol === 'https:'
}

export function setRefreshCookie(event: H3Event, token: string): void {
  setCookie(event, REFRESH_COOKIE, token, {
    httpOnly: true,
    secure: isSecure(event),
    sameSite: 'strict',
    path: COOKIE_PATH,
    maxAge: useConfig().jwt.refreshTtlSeconds,
  })
}

export function clearRefreshCookie(event: H3Event): void {
  deleteCookie(event, REFRESH_COOKIE, { path: COOKIE_PATH, httpOnly: true, sameSite: 'strict', secure: isSecure(event) })
}

/** True when the Origin is this server's own or one listed in CORS_ORIGINS. */
export function isAllowedOrigin(event: H3Event, origin: string): boolean {
  const own = getRequestURL(event, { xForwardedHost: useConfig().trustProxy, xForwardedProto: useConfig().trustProxy })
  if (origin === own.origin) return true
  return useConfig().corsOrigins.includes(origin)
}

/**
 * The refresh token from the body, or else from the cookie. Using the cookie requires a same-site
 * Origin: SameSite=Strict already blocks cross-site sends, this is the second lock (CSRF).
 * @throws AppError 403 when the cookie is used from a foreign origin
 */
export function readRefreshToken(event: H3Event, fromBody: string | undefined): { token: string | undefined, viaCookie: boolean } {
  if (fromBody) return { token: fromBody, viaCookie: false }
  const cookie = getCookie(event, REFRESH_COOKIE)
  if (!cookie) return { token: undefined, viaCookie: false }
  const origin = getHeader(event, 'origin')
  if (!origin || !isAllowedOrigin(event, origin)) throw forbidden('Cross-site request refused')
  return { token: cookie, viaCookie: true }
}
