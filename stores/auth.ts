/**
 * Who is logged in. The access token lives only in memory; the refresh token only in the httpOnly
 * `mm_refresh` cookie the server sets (scoped to /api/v1/auth), so a reload restores the session by
 * calling /auth/refresh — nothing secret is ever written to localStorage.
 */
import { defineStore } from 'pinia'
import type { AuthResponse, OwnUser, TokenResponse } from '~/shared/protocol/objects'
import { ApiError } from '~/utils/api-error'

const AUTH_BASE = '/api/v1/auth'
// Refresh a little before the access token runs out, so requests and reconnects rarely see a 401.
const REFRESH_MARGIN_S = 60

async function post<T>(path: string, body: unknown, token?: string | null): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const res = await fetch(AUTH_BASE + path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' })
  if (!res.ok) throw await ApiError.from(res)
  return await res.json() as T
}

/** Serialises refreshes across tabs: the cookie is shared and a spent refresh token revokes the session. */
async function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
  if (!locks) return fn()
  return await locks.request('mm_refresh', fn) as T
}

export const useAuthStore = defineStore('auth', () => {
  const user = ref<OwnUser | null>(null)
  const accessToken = ref<string | null>(null)
  const expiresAt = ref(0)
  /** Set when a session ended by itself, so the login page can say why. */
  const expired = ref(false)
  let refreshing: Promise<boolean> | null = null
  let sessionChecked: Promise<boolean> | null = null
  let timer: ReturnType<typeof setTimeout> | undefined

  const isLoggedIn = computed(() => !!user.value && !!accessToken.value)

  function adoptTokens(t: TokenResponse) {
    accessToken.value = t.access_token
    expiresAt.value = Date.now() + t.expires_in * 1000
    clearTimeout(timer)
    if (import.meta.client) {
      timer = setTimeout(() => { void refresh() }, Math.max(5, t.expires_in - REFRESH_MARGIN_S) * 1000)
    }
  }

  function adopt(res: AuthResponse) {
    user.value = res.user
    expired.value = false
    adoptTokens(res)
    sessionChecked = Promise.resolve(true)
  }

  async function login(email: string, password: string) {
    adopt(await post<AuthResponse>('/login', { email, password }))
  }

  async function register(email: string, username: string, password: string) {
    adopt(await post<AuthResponse>('/register', { email, username, password }))
  }

  /** New access token from the cookie. False (and logged out locally) when the session is gone. */
  function refresh(): Promise<boolean> {
    refreshing ??= withRefreshLock(async () => {
      try {
        adoptTokens(await post<TokenResponse>('/refresh', {}))
        return true
      }
      catch (e) {
        // A network failure is not a dead session: keep what we have and let the caller retry.
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          if (user.value) expired.value = true
          clear()
        }
        return false
      }
    }).finally(() => { refreshing = null })
    return refreshing
  }

  /** Resolves once per page load whether a session exists (restoring it from the cookie). */
  function ensureSession(): Promise<boolean> {
    if (isLoggedIn.value) return Promise.resolve(true)
    sessionChecked ??= (async () => {
      if (!await refresh()) return false
      try {
        const res = await fetch(AUTH_BASE + '/me', { headers: { authorization: `Bearer ${accessToken.value}` } })
        if (!res.ok) throw await ApiError.from(res)
        user.value = await res.json() as OwnUser
        return true
      }
      catch {
        clear()
        return false
      }
    })().finally(() => { if (!isLoggedIn.value) sessionChecked = null })
    return sessionChecked
  }

  /** A valid access token, refreshed first when it is about to run out. */
  async function freshToken(): Promise<string | null> {
    if (accessToken.value && Date.now() < expiresAt.value - 10_000) return accessToken.value
    return await refresh() ? accessToken.value : null
  }

  async function logout() {
    try {
      await post('/logout', {}, accessToken.value)
    }
    catch { /* the local session ends anyway */ }
    clear()
  }

  function clear() {
    clearTimeout(timer)
    user.value = null
    accessToken.value = null
    expiresAt.value = 0
    sessionChecked = null
  }

  function markExpired() {
    expired.value = true
    clear()
  }

  return { user, accessToken, expired, isLoggedIn, login, register, refresh, ensureSession, freshToken, logout, markExpired, clear }
})
