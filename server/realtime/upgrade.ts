/**
 * Authenticates a WebSocket upgrade before it happens: `?ticket=` (single-use, 30 s, from
 * POST /auth/ws-ticket) or `?token=` (an access token, as the original clients do). Foreign Origins
 * are refused; clients that send no Origin (scripts, bots) are let in on their credential alone.
 */
import { verifyToken, type AccessClaims } from '../lib/auth/jwt'
import { useConfig } from '../lib/config/env'
import { AppError } from '../lib/errors/app-error'
import { isSessionActive } from '../services/auth'
import { roomIdsOfUser } from '../services/membership'
import { getPublicUser } from '../services/users'
import { isShuttingDown } from '../lib/shutdown-state'
import { redisClient } from './cluster'
import { hub } from './hub'
import { penaltySeconds } from './penalty'
import type { PublicUser } from '../../shared/protocol/objects'

export interface SocketIdentity {
  userId: number
  sessionId: number
  user: PublicUser
  roomIds: number[]
}

function refuse(status: number, code: string, error: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error, code }), { status, headers: { 'content-type': 'application/json', ...headers } })
}

function originAllowed(origin: string, requestUrl: string, forwardedHost: string | null): boolean {
  const url = new URL(requestUrl)
  let originHost: string
  try {
    originHost = new URL(origin).host
  }
  catch {
    return false
  }
  if (originHost === url.host) return true
  if (useConfig().trustProxy && forwardedHost && originHost === forwardedHost) return true
  return useConfig().corsOrigins.includes(origin)
}

const usedTickets = new Map<string, number>()
/** A ticket works once: on this instance by memory, across instances by Redis SET NX. */
async function spendTicket(claims: AccessClaims): Promise<boolean> {
  const redis = redisClient()
  if (redis) return (await redis.set(`${useConfig().redisPrefix}ticket:${claims.jti}`, '1', 'EX', 60, 'NX')) === 'OK'
  const now = Date.now() / 1000
  for (const [jti, exp] of usedTickets) if (exp < now) usedTickets.delete(jti)
  if (usedTickets.has(claims.jti)) return false
  usedTickets.set(claims.jti, claims.expiresAt)
  return true
}

/** Returns the identity to put on the socket, or a Response that refuses the upgrade. */
export async function authenticateUpgrade(request: Request): Promise<SocketIdentity | Response> {
  try {
    if (isShuttingDown()) return refuse(503, 'SERVICE_UNAVAILABLE', 'This instance is shutting down')
    const origin = request.headers.get('origin')
    if (origin && !originAllowed(origin, request.url, request.headers.get('x-forwarded-host'))) return refuse(403, 'FORBIDDEN', 'Origin not allowed')
    const params = new URL(request.url).searchParams
    const ticket = params.get('ticket')
    const token = params.get('token')
    if (!ticket && !token) return refuse(401, 'UNAUTHORIZED', 'A token or ticket is required')
    const claims = ticket ? await verifyToken(ticket, 'ws_ticket') : await verifyToken(token!, 'access')
    if (ticket && !(await spendTicket(claims))) return refuse(401, 'UNAUTHORIZED', 'This ticket was already used')
    const penalty = penaltySeconds(claims.userId)
    if (penalty) return refuse(429, 'RATE_LIMITED', 'Too many frames: wait before reconnecting', { 'Retry-After': String(penalty) })
    if (!(await isSessionActive(claims.userId, claims.sessionId))) return refuse(401, 'UNAUTHORIZED', 'Session has ended')
    if (hub.socketsOfUser(claims.userId).length >= useConfig().limits.socketsPerUser) return refuse(429, 'RATE_LIMITED', 'Too many open sockets for this user')
    const [user, roomIds] = await Promise.all([getPublicUser(claims.userId), roomIdsOfUser(claims.userId)])
    return { userId: claims.userId, sessionId: claims.sessionId, user, roomIds }
  }
  catch (err) {
    if (err instanceof AppError) return refuse(err.status, err.code, err.message)
    return refuse(503, 'SERVICE_UNAVAILABLE', 'Try again shortly')
  }
}
