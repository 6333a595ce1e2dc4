import { SignJWT, jwtVerify, errors as joseErrors } from 'jose'
import { randomUUID } from 'node:crypto'
import { useConfig } from '../config/env'
import { unauthorized } from '../errors/app-error'
import { ERROR_CODES } from '../../../shared/protocol/error-codes'

export type TokenType = 'access' | 'ws_ticket'

export interface AccessClaims {
  userId: number
  sessionId: number
  jti: string
  expiresAt: number
}

/** Signs a short-lived HS256 token naming the user (`sub`) and the session (`sid`). */
export async function signToken(userId: number, sessionId: number, type: TokenType, ttlSeconds: number): Promise<string> {
  const { jwt } = useConfig()
  return new SignJWT({ sid: sessionId, typ: type })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(userId))
    .setIssuer(jwt.issuer)
    .setAudience(jwt.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .setJti(randomUUID())
    .sign(jwt.secret)
}

export const signAccessToken = (userId: number, sessionId: number) => signToken(userId, sessionId, 'access', useConfig().jwt.accessTtlSeconds)

/**
 * Verifies a token of exactly the given type. The algorithm is pinned (jose would otherwise accept
 * any that fits the key), and iss, aud, exp, sub, sid and jti are required.
 * @throws AppError 401 UNAUTHORIZED or TOKEN_EXPIRED
 */
export async function verifyToken(token: string, type: TokenType): Promise<AccessClaims> {
  const { jwt } = useConfig()
  try {
    const { payload } = await jwtVerify(token, jwt.secret, {
      algorithms: ['HS256'],
      issuer: jwt.issuer,
      audience: jwt.audience,
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    })
    const userId = Number(payload.sub)
    const sessionId = Number(payload.sid)
    if (payload.typ !== type || !Number.isSafeInteger(userId) || userId <= 0 || !Number.isSafeInteger(sessionId) || sessionId <= 0) throw unauthorized('Invalid token')
    return { userId, sessionId, jti: payload.jti!, expiresAt: payload.exp! }
  }
  catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw unauthorized('Token expired', ERROR_CODES.TOKEN_EXPIRED)
    throw unauthorized('Invalid token')
  }
}
