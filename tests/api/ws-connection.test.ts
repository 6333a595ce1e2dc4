import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, createRoom, registerUser, ticketFor } from '../helpers/api'
import { connect, useSocketCleanup } from '../helpers/ws'
import { craftToken, decodePayload } from '../helpers/tokens'
import { dropDatabase, startServer, testEnv, uniqueDbName, type RunningServer } from '../helpers/server'

useSocketCleanup()

describe('upgrade', () => {
  it('accepts an access token or a single-use ticket', async () => {
    const a = await registerUser()
    const byToken = await connect({ token: a.token })
    expect((await byToken.request('ping', {})).type).toBe('pong')
    const ticket = await ticketFor(a)
    const byTicket = await connect({ ticket })
    expect((await byTicket.request('ping', {})).type).toBe('pong')
    await expect(connect({ ticket })).rejects.toMatchObject({ status: 401 })
  })

  it('refuses a missing, forged, expired or wrong-type credential with 401 and a foreign Origin with 403', async () => {
    const a = await registerUser()
    const { sid } = decodePayload(a.token)
    const sub = String(a.user.id)
    await expect(connect({})).rejects.toMatchObject({ status: 401 })
    await expect(connect({ token: 'garbage' })).rejects.toMatchObject({ status: 401 })
    await expect(connect({ token: await craftToken({ sub, sid }, { secret: new TextEncoder().encode('x'.repeat(40)) }) })).rejects.toMatchObject({ status: 401 })
    await expect(connect({ token: await craftToken({ sub, sid }, { expSecondsFromNow: -5 }) })).rejects.toMatchObject({ status: 401 })
    await expect(connect({ token: a.refresh_token })).rejects.toMatchObject({ status: 401 })
    await expect(connect({ ticket: a.token })).rejects.toMatchObject({ status: 401 })
    await expect(connect({ token: a.token, origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 })
    // Scripts and bots send no Origin: their token alone lets them in.
    const bot = await connect({ token: a.token, origin: null })
    expect((await bot.request('ping', {})).type).toBe('pong')
  })

  it('closes the sockets of a session that logs out, and only those', async () => {
    const a = await registerUser()
    const other = await api('POST', '/auth/login', { body: { email: a.user.email, password: a.password } })
    const s1 = await connect({ token: a.token })
    const s2 = await connect({ token: other.body.access_token })
    await api('POST', '/auth/logout', { token: a.token, body: {} })
    expect(await s1.closed).toBe(4001)
    expect((await s2.request('ping', {})).type).toBe('pong')
  })
})

describe('frames', () => {
  it('answers bad frames with an error frame carrying a code and the request_id, and stays up', async () => {
    const a = await registerUser()
    const s = await connect({ token: a.token })
    s.sendRaw('not json')
    expect((await s.next('error')).payload.code).toBe('INVALID_FRAME')
    s.sendRaw('[1,2]')
    expect((await s.next('error')).payload.code).toBe('INVALID_FRAME')
    const unknown = await s.request('fly_to_moon', {})
    expect(unknown.type).toBe('error')
    expect(unknown.payload.code).toBe('UNKNOWN_TYPE')
    expect(unknown.payload.request_id).toBe(unknown.request_id)
    const bad = await s.request('send_message', { room_id: 'abc', content: 5 })
    expect(bad.payload.code).toBe('VALIDATION_FAILED')
    const empty = await s.request('send_message', { room_id: 1, content: '   ' })
    expect(empty.payload.code).toBe('VALIDATION_FAILED')
    s.sendRaw(Buffer.from([0xff, 0xfe, 0x00]))
    expect((await s.next('error')).payload.code).toBe('INVALID_FRAME')
    const numeric = await new Promise<any>((resolve) => {
      s.send('ping', {}, 42)
      resolve(s.next('pong'))
    })
    expect(numeric.request_id).toBe(42)
    expect((await s.request('ping', {})).type).toBe('pong')
  })

  it('refuses a frame over 64 KiB with an error and keeps the socket', async () => {
    const a = await registerUser()
    const s = await connect({ token: a.token })
    s.send('send_message', { room_id: 1, content: 'x'.repeat(70_000) }, 'big')
    const err = await s.next('error')
    expect(err.payload.code).toBe('PAYLOAD_TOO_LARGE')
    expect((await s.request('ping', {})).type).toBe('pong')
  })

  it('cuts off a frame far beyond the limit at the socket (1009) without hurting the server', async () => {
    const a = await registerUser()
    const s = await connect({ token: a.token })
    s.sendRaw('x'.repeat(1024 * 1024))
    expect(await s.closed).toBe(1009)
    const again = await connect({ token: a.token })
    expect((await again.request('ping', {})).type).toBe('pong')
  })

  it('refuses every room frame from a non-member with NOT_FOUND, revealing nothing', async () => {
    const owner = await registerUser()
    const stranger = await registerUser()
    const room = await createRoom(owner)
    const s = await connect({ token: stranger.token })
    for (const [type, payload] of [
      ['join_room', { room_id: room.id }],
      ['leave_room', { room_id: room.id }],
      ['send_message', { room_id: room.id, content: 'hi', client_msg_id: 'x1' }],
      ['typing', { room_id: room.id, is_typing: true }],
      ['mark_read', { room_id: room.id, message_id: 1 }],
    ] as const) {
      const res = await s.request(type, payload)
      expect(res.type, type).toBe('error')
      expect(res.payload.code, type).toBe('NOT_FOUND')
      expect(JSON.stringify(res.payload)).not.toContain(room.name)
    }
    const msgs = await api('GET', `/rooms/${room.id}/messages`, { token: owner.token })
    expect(msgs.body).toHaveLength(0)
  })
})

describe('limits (own server with low limits)', () => {
  let server: RunningServer
  const db = uniqueDbName('mm_wslim')
  beforeAll(async () => {
    server = await startServer(testEnv(db, {
      RATE_LIMIT_MESSAGES_PER_SECOND: '5',
      RATE_LIMIT_MESSAGES_PER_SECOND_PER_USER: '8',
      RATE_LIMIT_TYPING_PER_SECOND: '5',
      WS_MAX_SOCKETS_PER_USER: '3',
      WS_PING_INTERVAL_MS: '400',
    }))
  })
  afterAll(async () => {
    await server.stop()
    await dropDatabase(db)
  })

  it('rate limits send_message per connection with RATE_LIMITED, then drops an abusive socket', async () => {
    const a = await registerUser({ base: server.url })
    const room = await createRoom(a, [], undefined, server.url)
    const s = await connect({ token: a.token, base: server.url })
    for (let i = 0; i < 30; i++) s.send('send_message', { room_id: room.id, content: `m${i}`, client_msg_id: `c${i}` }, `q${i}`)
    const answers = []
    for (let i = 0; i < 30; i++) answers.push(await s.next(f => f.request_id === `q${i}`, 10_000))
    const acks = answers.filter(f => f.type === 'message_ack').length
    const refused = answers.filter(f => f.type === 'error' && f.payload.code === 'RATE_LIMITED').length
    // A burst of 2x the per-second rate (10) passes at once, the rest is refused.
    expect(acks).toBeGreaterThanOrEqual(5)
    expect(acks).toBeLessThan(20)
    expect(acks + refused).toBe(30)
    // Keep hammering far past the limit: the socket is dropped for abuse, the server stays up.
    for (let i = 0; i < 200 && s.closeCode === null; i++) s.send('typing', { room_id: room.id, is_typing: true })
    expect(await s.closed).toBe(4029)
    // Coming straight back is refused for a while (WS_ABUSE_COOLDOWN_SECONDS); others are unaffected.
    await expect(connect({ token: a.token, base: server.url })).rejects.toMatchObject({ status: 429 })
    const b = await registerUser({ base: server.url })
    const other = await connect({ token: b.token, base: server.url })
    expect((await other.request('ping', {})).type).toBe('pong')
  })

  it('applies the per-user message rate to REST posts too (429 with Retry-After)', async () => {
    const a = await registerUser({ base: server.url })
    const room = await createRoom(a, [], undefined, server.url)
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => api('POST', `/rooms/${room.id}/messages`, { base: server.url, token: a.token, body: { content: `r${i}` } })))
    const created = results.filter(r => r.status === 201).length
    const limited = results.filter(r => r.status === 429)
    // Burst of 2x the per-user rate (8/s) passes.
    expect(created).toBeGreaterThanOrEqual(8)
    expect(created).toBeLessThanOrEqual(20)
    expect(limited.length).toBe(30 - created)
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('caps the sockets one user may hold', async () => {
    const a = await registerUser({ base: server.url })
    for (let i = 0; i < 3; i++) await connect({ token: a.token, base: server.url })
    await expect(connect({ token: a.token, base: server.url })).rejects.toMatchObject({ status: 429 })
  })

  it('closes a peer that stops answering pings', async () => {
    const a = await registerUser({ base: server.url })
    const s = await connect({ token: a.token, base: server.url })
    // Stop reading the socket for a while: no pongs go back, so the server must give up on it.
    const raw = (s.ws as any)._socket
    raw.pause()
    await new Promise(r => setTimeout(r, 1500))
    raw.resume()
    expect(await Promise.race([s.closed, new Promise(r => setTimeout(() => r('still open'), 3000))])).toBe(1006)
  })
})

describe('ending sessions closes their sockets', () => {
  it('a password change ends every other session and closes its sockets; the asking session stays', async () => {
    const a = await registerUser()
    const phone = await api('POST', '/auth/login', { body: { email: a.user.email, password: a.password } })
    const here = await connect({ token: a.token })
    const there = await connect({ token: phone.body.access_token })
    const wrong = await api('PUT', '/auth/password', { token: a.token, body: { current_password: 'nope', new_password: 'a new password' } })
    expect(wrong.status).toBe(401)
    const ok = await api('PUT', '/auth/password', { token: a.token, body: { current_password: a.password, new_password: 'a new password' } })
    expect(ok.status).toBe(200)
    expect(await there.closed).toBe(4001)
    expect((await here.request('ping', {})).type).toBe('pong')
    expect((await api('GET', '/auth/me', { token: phone.body.access_token })).status).toBe(401)
    expect((await api('POST', '/auth/login', { body: { email: a.user.email, password: 'a new password' } })).status).toBe(200)
  })

  it('ending one session from the list closes its sockets; another user cannot end it', async () => {
    const a = await registerUser()
    const b = await registerUser()
    const laptop = await api('POST', '/auth/login', { body: { email: a.user.email, password: a.password } })
    const s = await connect({ token: laptop.body.access_token })
    const list = await api('GET', '/auth/sessions', { token: a.token })
    expect(list.body).toHaveLength(2)
    const target = list.body.find((x: any) => !x.current)
    expect((await api('DELETE', `/auth/sessions/${target.id}`, { token: b.token })).status).toBe(404)
    expect((await api('DELETE', `/auth/sessions/${target.id}`, { token: a.token })).status).toBe(204)
    expect(await s.closed).toBe(4001)
  })
})
