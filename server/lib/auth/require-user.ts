import { getHeader, type H3Event } from 'h3'
import { verifyToken } from './jwt'
import { unauthorized } from '../errors/app-error'
import { isSessionActive } from '../../services/auth'

export interface AuthContext {
  userId: number
  sessionId: number
}

/**
 * The one gate of every protected route: a valid access token (never a refresh token or ws
 * ticket) whose session is still active.
 * @throws AppError 401 UNAUTHORIZED / TOKEN_EXPIRED
 */
export async function requireUser(event: H3Event): Promise<AuthContext> {
  const cached = event.context.auth as AuthContext | undefined
  if (cached) return cached
  const header = getHeader(event, 'authorization')
  const match = header && /^Bearer\s+(\S+)$/i.exec(header)
  if (!match) throw unauthorized('Authentication required')
  const claims = await verifyToken(match[1]!, 'access')
  if (!(await isSessionActive(claims.userId, claims.sessionId))) throw unauthorized('Session has ended, log in again')
  const auth = { userId: claims.userId, sessionId: claims.sessionId }
  event.context.auth = auth
  return auth
}
