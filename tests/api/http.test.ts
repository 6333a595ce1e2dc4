import { describe, expect, it } from 'vitest'
import { api, baseURL, registerUser } from '../helpers/api'

describe('HTTP basics', () => {
  it('serves health and readiness for load balancers', async () => {
    expect(await (await fetch(baseURL() + '/healthz')).json()).toEqual({ status: 'ok' })
    expect(await (await fetch(baseURL() + '/readyz')).json()).toEqual({ status: 'ready' })
  })

  it('answers malformed JSON with 400 and oversized bodies with 413, in the protocol error shape', async () => {
    const bad = await api('POST', '/auth/login', { raw: '{"email": ' })
    expect(bad.status).toBe(400)
    expect(bad.body).toEqual({ error: expect.any(String), code: 'MALFORMED_JSON' })
    const big = await api('POST', '/auth/register', { raw: JSON.stringify({ email: 'a@b.co', username: 'abc', password: 'x'.repeat(200_000) }) })
    expect(big.status).toBe(413)
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE')
    const wrongShape = await api('POST', '/auth/login', { raw: '[1,2,3]' })
    expect(wrongShape.status).toBe(400)
  })

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await api('GET', '/does-not-exist')
    expect(res.status).toBe(404)
    expect(res.body.code).toBe('NOT_FOUND')
  })

  it('round-trips Korean and emoji', async () => {
    const a = await registerUser({ username: `한글_${Date.now().toString(36)}` })
    const me = await api('GET', '/auth/me', { token: a.token })
    expect(me.body.username).toBe(a.user.username)
  })

  it('never shows internals in errors', async () => {
    const res = await api('POST', '/auth/login', { body: { email: { $gt: '' }, password: ['x'] } })
    expect(res.status).toBe(400)
    expect(JSON.stringify(res.body)).not.toMatch(/stack|SELECT|at .*\.mjs/)
  })

  it('serves the web app from the same server', async () => {
    const res = await fetch(baseURL() + '/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
  })
})
