import { SignJWT } from 'jose'
import { testEnv } from './server'

const secret = new TextEncoder().encode(testEnv('x').JWT_SECRET)

/** Signs a token with the test server's secret and any claims, to probe what verification accepts. */
export async function craftToken(claims: Record<string, unknown>, options: { expSecondsFromNow?: number, secret?: Uint8Array, alg?: string } = {}) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ typ: 'access', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (options.expSecondsFromNow ?? 600))
    .setIssuer('mmessenger')
    .setAudience('mmessenger')
    .setJti(crypto.randomUUID())
    .sign(options.secret ?? secret)
}

export function decodePayload(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))
}

/** An unsigned token (`alg: none`), which must never be accepted. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ iss: 'mmessenger', aud: 'mmessenger', iat: now, exp: now + 600, jti: 'x', typ: 'access', ...claims })}.`
}
