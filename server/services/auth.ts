/** Accounts and sessions: register, login, refresh rotation with reuse detection, logout. */
import { and, eq, isNull, sql } from 'drizzle-orm'
import { useDb } from '../lib/db/client'
import { refreshTokens, sessions, users } from '../../drizzle/schema'
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../lib/auth/passwords'
import { hashRefreshToken, newRefreshToken } from '../lib/auth/refresh-token'
import { signAccessToken } from '../lib/auth/jwt'
import { useConfig } from '../lib/config/env'
import { AppError, conflict, isDuplicateKey, notFound, unauthorized } from '../lib/errors/app-error'
import { ERROR_CODES } from '../../shared/protocol/error-codes'
import type { AuthResponse, OwnUser, TokenResponse } from '../../shared/protocol/objects'
import { toOwnUser } from './presenters'
import { emit } from './domain-events'

export interface SessionTokens extends TokenResponse {
  session_id: number
}

async function startSession(userId: number, userAgent: string | undefined): Promise<SessionTokens> {
  const db = await useDb()
  const { jwt } = useConfig()
  const expiresAt = new Date(Date.now() + jwt.refreshTtlSeconds * 1000)
  const refresh = newRefreshToken()
  const sessionId = await db.transaction(async (tx) => {
    const [res] = await tx.insert(sessions).values({ userId, userAgent: userAgent?.slice(0, 255), expiresAt })
    await tx.insert(refreshTokens).values({ sessionId: res.insertId, tokenHash: hashRefreshToken(refresh), expiresAt })
    return res.insertId
  })
  return { session_id: sessionId, access_token: await signAccessToken(userId, sessionId), refresh_token: refresh, expires_in: jwt.accessTtlSeconds }
}

async function ownUser(userId: number): Promise<OwnUser> {
  const db = await useDb()
  const [u] = await db.select().from(users).where(eq(users.id, userId))
  if (!u) throw unauthorized('Invalid token')
  return toOwnUser(u)
}

export async function register(input: { email: string, username: string, password: string }, userAgent?: string): Promise<AuthResponse & { session_id: number }> {
  const db = await useDb()
  const [byEmail] = await db.select({ id: users.id }).from(users).where(eq(users.email, input.email))
  if (byEmail) throw conflict(ERROR_CODES.EMAIL_TAKEN, 'That email is already registered', { email: 'Already registered' })
  const [byName] = await db.select({ id: users.id }).from(users).where(eq(users.username, input.username))
  if (byName) throw conflict(ERROR_CODES.USERNAME_TAKEN, 'That username is taken', { username: 'Already taken' })
  const passwordHash = await hashPassword(input.password)
  let userId: number
  try {
    const [res] = await db.insert(users).values({ email: input.email, username: input.username, passwordHash, lastSeenAt: new Date() })
    userId = res.insertId
  }
  catch (err) {
    // Two sign-ups racing for the same name: the unique index decides.
    if (isDuplicateKey(err, 'users_email_uq')) throw conflict(ERROR_CODES.EMAIL_TAKEN, 'That email is already registered', { email: 'Already registered' })
    if (isDuplicateKey(err, 'users_username_uq')) throw conflict(ERROR_CODES.USERNAME_TAKEN, 'That username is taken', { username: 'Already taken' })
    throw err
  }
  const tokens = await startSession(userId, userAgent)
  return { user: await ownUser(userId), ...tokens }
}

export async function login(input: { email: string, password: string }, userAgent?: string): Promise<AuthResponse & { session_id: number }> {
  const db = await useDb()
  const [u] = await db.select({ id: users.id, passwordHash: users.passwordHash }).from(users).where(eq(users.email, input.email))
  const ok = u ? await verifyPassword(u.passwordHash, input.password) : await verifyAgainstDummy(input.password)
  if (!u || !ok) throw new AppError(401, ERROR_CODES.INVALID_CREDENTIALS, 'Wrong email or password')
  const tokens = await startSession(u.id, userAgent)
  return { user: await ownUser(u.id), ...tokens }
}

async function revokeSessions(sessionIds: number[], reason: string) {
  if (!sessionIds.length) return
  const db = await useDb()
  for (const id of sessionIds) {
    await db.update(sessions).set({ revokedAt: new Date(), revokedReason: reason }).where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
  }
  emit({ kind: 'sessions_revoked', sessionIds })
}

/**
 * Rotates a refresh token: the presented one is spent and a new one issued in the same session.
 * Presenting a spent token means it was stolen or replayed, so the whole session is revoked.
 * @throws AppError 401
 */
export async function refresh(token: string): Promise<SessionTokens & { user_id: number }> {
  const db = await useDb()
  const { jwt } = useConfig()
  const hash = hashRefreshToken(token)
  const next = newRefreshToken()
  const outcome = await db.transaction(async (tx) => {
    const [row] = await tx.select({
      id: refreshTokens.id, sessionId: refreshTokens.sessionId, spentAt: refreshTokens.spentAt, expiresAt: refreshTokens.expiresAt,
      userId: sessions.userId, revokedAt: sessions.revokedAt, sessionExpiresAt: sessions.expiresAt,
    }).from(refreshTokens).innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId)).where(eq(refreshTokens.tokenHash, hash)).for('update')
    if (!row) return { error: 'invalid' as const }
    if (row.spentAt) return { error: 'reused' as const, sessionId: row.sessionId }
    if (row.revokedAt || row.expiresAt.getTime() <= Date.now()) return { error: 'invalid' as const }
    await tx.update(refreshTokens).set({ spentAt: new Date() }).where(eq(refreshTokens.id, row.id))
    const expiresAt = new Date(Math.min(row.sessionExpiresAt.getTime(), Date.now() + jwt.refreshTtlSeconds * 1000))
    await tx.insert(refreshTokens).values({ sessionId: row.sessionId, tokenHash: hashRefreshToken(next), expiresAt })
    return { sessionId: row.sessionId, userId: row.userId }
  })
  if ('error' in outcome) {
    if (outcome.error === 'reused') await revokeSessions([outcome.sessionId], 'refresh_reuse')
    throw unauthorized('Invalid or expired refresh token')
  }
  return {
    session_id: outcome.sessionId,
    user_id: outcome.userId,
    access_token: await signAccessToken(outcome.userId, outcome.sessionId),
    refresh_token: next,
    expires_in: jwt.accessTtlSeconds,
  }
}

/** Ends the session of the access token (and of the refresh token, when it names the same user's). */
export async function logout(userId: number, sessionId: number, refreshToken?: string): Promise<void> {
  const db = await useDb()
  const ids = new Set([sessionId])
  if (refreshToken) {
    const [row] = await db.select({ sessionId: refreshTokens.sessionId, userId: sessions.userId }).from(refreshTokens)
      .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId)).where(eq(refreshTokens.tokenHash, hashRefreshToken(refreshToken)))
    if (row && row.userId === userId) ids.add(row.sessionId)
  }
  await revokeSessions([...ids], 'logout')
}

/** True when the session exists, belongs to the user, and is neither revoked nor expired. */
export async function isSessionActive(userId: number, sessionId: number): Promise<boolean> {
  const db = await useDb()
  const [row] = await db.select({ id: sessions.id }).from(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt), sql`${sessions.expiresAt} > CURRENT_TIMESTAMP(3)`))
  return !!row
}

export const me = ownUser

/**
 * Changes the password after checking the current one. Every other session of the user ends (their
 * sockets close); the session that asked stays logged in.
 * @throws AppError 401 INVALID_CREDENTIALS when the current password is wrong
 */
export async function changePassword(userId: number, sessionId: number, currentPassword: string, newPassword: string): Promise<void> {
  const db = await useDb()
  const [u] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId))
  if (!u || !(await verifyPassword(u.passwordHash, currentPassword))) throw new AppError(401, ERROR_CODES.INVALID_CREDENTIALS, 'The current password is wrong')
  await db.update(users).set({ passwordHash: await hashPassword(newPassword), passwordChangedAt: new Date() }).where(eq(users.id, userId))
  const others = await db.select({ id: sessions.id }).from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), sql`${sessions.id} <> ${sessionId}`))
  await revokeSessions(others.map(s => s.id), 'password_changed')
}

export interface SessionInfo {
  id: number
  user_agent: string | null
  created_at: string
  expires_at: string
  current: boolean
}

/** The user's active sessions (logins), newest first. */
export async function listSessions(userId: number, currentSessionId: number): Promise<SessionInfo[]> {
  const db = await useDb()
  const rows = await db.select().from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), sql`${sessions.expiresAt} > CURRENT_TIMESTAMP(3)`))
    .orderBy(sql`${sessions.id} DESC`)
  return rows.map(r => ({ id: r.id, user_agent: r.userAgent, created_at: r.createdAt.toISOString(), expires_at: r.expiresAt.toISOString(), current: r.id === currentSessionId }))
}

/**
 * Ends one of the user's own sessions (e.g. a lost phone): its tokens stop working, its sockets close.
 * @throws AppError 404 when the session is not the user's or already ended
 */
export async function endSession(userId: number, sessionId: number): Promise<void> {
  const db = await useDb()
  const [row] = await db.select({ id: sessions.id }).from(sessions).where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
  if (!row) throw notFound('Session')
  await revokeSessions([sessionId], 'ended_by_user')
}
