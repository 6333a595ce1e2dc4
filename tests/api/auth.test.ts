import { describe, expect, it } from 'vitest'
import { api, registerUser, uniqueName } from '../helpers/api'
import { craftToken, decodePayload, unsignedToken } from '../helpers/tokens'

describe('register', () => {
  it('creates an account and returns the user with tokens (Korean username)', async () => {
    const username = `김${uniqueName('k').slice(0, 20)}`
    const res = await api('POST', '/auth/register', { body: { email: `  ${username.slice(1)}@Example.TEST `, username, password: 'password123' } })
    expect(res.status).toBe(201)
    expect(res.body.user).toMatchObject({ username, email: `${username.slice(1)}@example.test`, avatar_url: null })
    expect(typeof res.body.user.id).toBe('number')
    expect(res.body.user.password_hash).toBeUndefined()
    expect(res.body.expires_in).toBe(900)
    expect(res.body.refresh_token).toMatch(/^[\w-]{40,}$/)
    const claims = decodePayload(res.body.access_token)
    expect(claims).toMatchObject({ sub: String(res.body.user.id), iss: 'mmessenger', aud: 'mmessenger', typ: 'access' })
    expect(claims.sid).toBeGreaterThan(0)
    expect(claims.jti).toBeTruthy()
    expect(res.headers.get('set-cookie')).toMatch(/mm_refresh=.*HttpOnly.*SameSite=Strict/i)
    expect(res.headers.get('set-cookie')).toMatch(/Path=\/api\/v1\/auth/)
  })

  it('rejects bad input with field errors', async () => {
    const res = await api('POST', '/auth/register', { body: { email: 'not-an-email', username: 'a', password: 'short' } })
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('VALIDATION_FAILED')
    expect(Object.keys(res.body.fields).sort()).toEqual(['email', 'password', 'username'])
    const spaces = await api('POST', '/auth/register', { body: { email: 'ok@example.test', username: 'has space', password: 'x'.repeat(129) } })
    expect(spaces.status).toBe(400)
    expect(Object.keys(spaces.body.fields).sort()).toEqual(['password', 'username'])
    const missing = await api('POST', '/auth/register', { body: {} })
    expect(missing.status).toBe(400)
    expect(Object.keys(missing.body.fields).sort()).toEqual(['email', 'password', 'username'])
  })

  it('answers 409 for a duplicate email or username, case-insensitively', async () => {
    const a = await registerUser()
    const dupEmail = await api('POST', '/auth/register', { body: { email: a.user.email.toUpperCase(), username: uniqueName(), password: 'password123' } })
    expect(dupEmail.status).toBe(409)
    expect(dupEmail.body.code).toBe('EMAIL_TAKEN')
    const dupName = await api('POST', '/auth/register', { body: { email: `${uniqueName()}@example.test`, username: a.user.username.toUpperCase(), password: 'password123' } })
    expect(dupName.status).toBe(409)
    expect(dupName.body.code).toBe('USERNAME_TAKEN')
  })
})

describe('login', () => {
  it('logs in with the right password and refuses the wrong one without saying which part was wrong', async () => {
    const a = await registerUser()
    const ok = await api('POST', '/auth/login', { body: { email: a.user.email, password: a.password } })
    expect(ok.status).toBe(200)
    expect(ok.body.user.id).toBe(a.user.id)
    expect(decodePayload(ok.body.access_token).sid).not.toBe(decodePayload(a.access_token).sid)
    const wrong = await api('POST', '/auth/login', { body: { email: a.user.email, password: 'wrong password' } })
    const unknown = await api('POST', '/auth/login', { body: { email: `${uniqueName()}@example.test`, password: 'wrong password' } })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.body).toEqual(unknown.body)
  })

  it('costs about the same whether or not the email exists', async () => {
    const a = await registerUser()
    const time = async (email: string) => {
      const t = performance.now()
      await api('POST', '/auth/login', { body: { email, password: 'wrong password' } })
      return performance.now() - t
    }
    const known: number[] = []
    const unknown: number[] = []
    for (let i = 0; i < 6; i++) {
      known.push(await time(a.user.email))
      unknown.push(await time(`${uniqueName()}@example.test`))
    }
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
    // The unknown-email path must also run argon2: without the dummy hash it would be ~10x faster.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.4)
  })
})

describe('access tokens', () => {
  it('me returns your own user with email', async () => {
    const a = await registerUser()
    const res = await api('GET', '/auth/me', { token: a.token })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: a.user.id, email: a.user.email, username: a.user.username })
  })

  it('refuses missing, forged, expired, alg=none and wrong-type tokens', async () => {
    const a = await registerUser()
    const sid = decodePayload(a.token).sid
    const sub = String(a.user.id)
    expect((await api('GET', '/auth/me')).status).toBe(401)
    expect((await api('GET', '/auth/me', { headers: { authorization: 'Basic abc' } })).status).toBe(401)
    const forged = await craftToken({ sub, sid }, { secret: new TextEncoder().encode('another-secret-of-sufficient-length-000000') })
    expect((await api('GET', '/auth/me', { token: forged })).status).toBe(401)
    const expired = await api('GET', '/auth/me', { token: await craftToken({ sub, sid }, { expSecondsFromNow: -10 }) })
    expect(expired.status).toBe(401)
    expect(expired.body.code).toBe('TOKEN_EXPIRED')
    expect((await api('GET', '/auth/me', { token: unsignedToken({ sub, sid }) })).status).toBe(401)
    expect((await api('GET', '/auth/me', { token: await craftToken({ sub, sid, typ: 'ws_ticket' }) })).status).toBe(401)
    expect((await api('GET', '/auth/me', { token: await craftToken({ sub, sid, typ: 'refresh' }) })).status).toBe(401)
    expect((await api('GET', '/auth/me', { token: a.refresh_token })).status).toBe(401)
    // A correctly signed token is accepted, proving the refusals above are about the flaws.
    expect((await api('GET', '/auth/me', { token: await craftToken({ sub, sid }) })).status).toBe(200)
    const ticket = await api('POST', '/auth/ws-ticket', { token: a.token })
    expect(ticket.status).toBe(200)
    expect((await api('GET', '/auth/me', { token: ticket.body.ticket })).status).toBe(401)
  })
})

describe('refresh and logout', () => {
  it('rotates the refresh token, and a spent one revokes the whole session', async () => {
    const a = await registerUser()
    const r1 = await api('POST', '/auth/refresh', { body: { refresh_token: a.refresh_token } })
    expect(r1.status).toBe(200)
    expect(r1.body.refresh_token).not.toBe(a.refresh_token)
    expect((await api('GET', '/auth/me', { token: r1.body.access_token })).status).toBe(200)
    // Replaying the spent token: refused, and the family (including r1's tokens) dies.
    const replay = await api('POST', '/auth/refresh', { body: { refresh_token: a.refresh_token } })
    expect(replay.status).toBe(401)
    expect((await api('POST', '/auth/refresh', { body: { refresh_token: r1.body.refresh_token } })).status).toBe(401)
    expect((await api('GET', '/auth/me', { token: r1.body.access_token })).status).toBe(401)
  })

  it('refuses unknown refresh tokens and a missing one', async () => {
    expect((await api('POST', '/auth/refresh', { body: { refresh_token: 'nope' } })).status).toBe(401)
    expect((await api('POST', '/auth/refresh', { body: {} })).status).toBe(401)
  })

  it('works through the httpOnly cookie from the same origin only', async () => {
    const a = await registerUser()
    const cookie = `mm_refresh=${a.refresh_token}`
    const foreign = await api('POST', '/auth/refresh', { headers: { cookie, origin: 'https://evil.example' } })
    expect(foreign.status).toBe(403)
    const noOrigin = await api('POST', '/auth/refresh', { headers: { cookie } })
    expect(noOrigin.status).toBe(403)
    const same = await api('POST', '/auth/refresh', { headers: { cookie, origin: new URL((await import('../helpers/api')).baseURL()).origin } })
    expect(same.status).toBe(200)
    expect(same.headers.get('set-cookie')).toContain(`mm_refresh=${same.body.refresh_token}`)
  })

  it('logout revokes the session: its access and refresh tokens stop working, others do not', async () => {
    const a = await registerUser()
    const other = await api('POST', '/auth/login', { body: { email: a.user.email, password: a.password } })
    expect((await api('POST', '/auth/logout', { body: { refresh_token: a.refresh_token } })).status).toBe(401)
    const out = await api('POST', '/auth/logout', { token: a.token, body: { refresh_token: a.refresh_token } })
    expect(out.status).toBe(200)
    expect(out.body.message).toBeTruthy()
    expect((await api('GET', '/auth/me', { token: a.token })).status).toBe(401)
    expect((await api('POST', '/auth/refresh', { body: { refresh_token: a.refresh_token } })).status).toBe(401)
    expect((await api('GET', '/auth/me', { token: other.body.access_token })).status).toBe(200)
  })
})
