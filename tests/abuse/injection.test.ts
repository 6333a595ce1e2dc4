/**
 * Injection strings, XSS payloads, unicode tricks and prototype-pollution bodies are data: stored
 * verbatim, returned byte for byte over REST and WebSocket, always as JSON, and they change nothing
 * else (the users table is still there, no object picked up a polluted key).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api as baseApi, registerUser, type ApiResponse, type TestUser } from '../helpers/api'
import { connect, useSocketCleanup } from '../helpers/ws'
import { SQL_INJECTION, UNICODE, XSS } from './corpus'
import { expectHealthy, history, startAbuseServer, type AbuseServer } from './harness'

useSocketCleanup()

const CORPUS = [...SQL_INJECTION, ...XSS, ...UNICODE, '__proto__', 'constructor', '{"__proto__":{"polluted":true}}', 'null', 'undefined', 'NaN', '0', '-0', '1e309']

/** Every key of every object in a JSON value. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, into)
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      into.add(key)
      keysOf(item, into)
    }
  }
  return into
}

describe('injection and XSS are stored verbatim and inert', () => {
  let server: AbuseServer
  let alice: TestUser
  let bob: TestUser
  let roomId: number

  /** Every answer in this file must be JSON (or an empty 204), never HTML. */
  async function api(method: string, path: string, options: { token?: string, body?: unknown, raw?: string } = {}): Promise<ApiResponse> {
    const res = await baseApi(method, path, { ...options, base: server.url })
    if (res.status !== 204) expect(res.headers.get('content-type'), `${method} ${path}`).toMatch(/^application\/json/)
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(500)
    return res
  }

  beforeAll(async () => {
    server = await startAbuseServer()
    ;[alice, bob] = await Promise.all([registerUser({ base: server.url }), registerUser({ base: server.url })])
    const room = await api('POST', '/rooms', { token: alice!.token, body: { name: 'Injection lab', member_ids: [bob!.user.id] } })
    roomId = room.body.id
  })
  afterAll(async () => {
    await server?.finish()
  })

  it('message content comes back exactly as sent, over REST and over the socket', async () => {
    const bobSocket = await connect({ token: bob.token, base: server.url, origin: null })
    const aliceSocket = await connect({ token: alice.token, base: server.url, origin: null })
    const sent: string[] = []
    for (const [i, content] of CORPUS.entries()) {
      const rest = await api('POST', `/rooms/${roomId}/messages`, { token: alice.token, body: { content, client_msg_id: `rest-${i}` } })
      expect(rest.status).toBe(201)
      expect(rest.body.content).toBe(content)
      const ack = await aliceSocket.request('send_message', { room_id: roomId, content, client_msg_id: `ws-${i}` })
      expect(ack.type, JSON.stringify(ack.payload)).toBe('message_ack')
      expect(ack.payload.message.content).toBe(content)
      sent.push(content, content)
    }
    const live = []
    for (let i = 0; i < sent.length; i++) live.push((await bobSocket.next('new_message')).payload.content)
    expect(live).toEqual(sent)
    const stored = await history(server.url, bob.token, roomId)
    expect(stored.map(m => m.content)).toEqual(sent)
    // An edit keeps it verbatim too.
    const edited = await api('PUT', `/rooms/${roomId}/messages/${stored[0]!.id}`, { token: alice.token, body: { content: XSS[1] } })
    expect(edited.body.content).toBe(XSS[1])
  })

  it('room names and descriptions come back exactly as sent, to members over the socket too', async () => {
    const bobSocket = await connect({ token: bob.token, base: server.url, origin: null })
    for (const text of CORPUS.filter(s => s.length <= 100)) {
      const created = await api('POST', '/rooms', { token: alice.token, body: { name: text, description: text, member_ids: [bob.user.id] } })
      expect(created.status).toBe(201)
      expect([created.body.name, created.body.description]).toEqual([text, text])
      const fetched = await api('GET', `/rooms/${created.body.id}`, { token: bob.token })
      expect([fetched.body.name, fetched.body.description]).toEqual([text, text])
      const renamed = await api('PUT', `/rooms/${created.body.id}`, { token: alice.token, body: { name: `${text}!`, description: `!${text}` } })
      expect([renamed.body.name, renamed.body.description]).toEqual([`${text}!`, `!${text}`])
      const frame = await bobSocket.next(f => f.type === 'room_updated' && f.payload.id === created.body.id)
      expect([frame.payload.name, frame.payload.description]).toEqual([`${text}!`, `!${text}`])
    }
  })

  it('search treats LIKE wildcards and quotes as plain characters', async () => {
    const stamp = Date.now().toString(36).slice(-5)
    const literal = await registerUser({ base: server.url, username: `w${stamp}_ab` })
    const lookalike = await registerUser({ base: server.url, username: `w${stamp}xab` })
    const underscore = await api('GET', `/users?q=${encodeURIComponent(`${stamp}_`)}`, { token: alice.token })
    expect(underscore.body.map((u: { id: number }) => u.id)).toEqual([literal.user.id])
    expect(underscore.body.map((u: { id: number }) => u.id)).not.toContain(lookalike.user.id)
    for (const q of ['%', '%%', '\' OR 1=1 --', '" OR ""="', '\\', '%_%']) {
      const res = await api('GET', `/users?q=${encodeURIComponent(q)}`, { token: alice.token })
      expect(res.status).toBe(200)
      expect(res.body, q).toEqual([])
    }
  })

  it('prototype-pollution bodies change nothing: no extra field, no other defaults', async () => {
    const raw = (body: string) => api('POST', '/rooms', { token: alice.token, raw: body })
    const room = await raw(`{"name":"proto","__proto__":{"room_type":"private","owner_id":${bob.user.id},"max_members":2,"polluted":true},"constructor":{"prototype":{"polluted":true}}}`)
    expect(room.status).toBe(201)
    expect(room.body).toMatchObject({ room_type: 'group', owner_id: alice.user.id, max_members: 1000 })
    const message = await api('POST', `/rooms/${room.body.id}/messages`, { token: alice.token, raw: '{"content":"hi","__proto__":{"message_type":"system","is_edited":true}}' })
    expect(message.status).toBe(201)
    expect(message.body).toMatchObject({ message_type: 'text', is_edited: false, content: 'hi' })
    const user = await api('POST', '/auth/register', { raw: `{"email":"p${Date.now()}@example.test","username":"p${Date.now().toString(36)}","password":"correct horse battery","__proto__":{"is_admin":true,"id":1}}` })
    expect(user.status).toBe(201)
    expect(user.body.user.id).not.toBe(1)
    // Over the socket a `__proto__` key is just a key: it does not supply a missing room_id.
    const socket = await connect({ token: alice.token, base: server.url, origin: null })
    socket.sendRaw(`{"type":"send_message","payload":{"__proto__":{"room_id":${roomId}},"content":"sneaky"},"request_id":"p1"}`)
    expect((await socket.next(f => f.request_id === 'p1')).payload.code).toBe('VALIDATION_FAILED')
    socket.sendRaw(`{"__proto__":{"type":"ping"},"payload":{},"request_id":"p2"}`)
    expect((await socket.next(f => f.request_id === 'p2')).payload.code).toBe('UNKNOWN_TYPE')
    // No object anywhere picked up a polluted key (room names may hold the text, that is data).
    for (const path of ['/auth/me', '/rooms', `/rooms/${roomId}`, `/rooms/${roomId}/members`, `/rooms/${roomId}/messages`]) {
      const res = await api('GET', path, { token: bob.token })
      expect(keysOf(res.body), path).not.toContain('polluted')
      expect(keysOf(res.body), path).not.toContain('is_admin')
    }
    expect((await history(server.url, alice.token, roomId)).map(m => m.content)).not.toContain('sneaky')
  })

  it('client_msg_id is an exact key: ids that differ only in case or accents are different messages', async () => {
    const ids = ['Abc-1', 'abc-1', 'ABC-1', 'ábc-1', 'abc-1 ']
    const first = []
    for (const id of ids) first.push(await api('POST', `/rooms/${roomId}/messages`, { token: alice.token, body: { content: `id ${id}`, client_msg_id: id } }))
    // 'abc-1 ' is trimmed to 'abc-1': the same key, so the stored message comes back.
    expect(first.map(r => r.status)).toEqual([201, 201, 201, 201, 200])
    expect(new Set(first.slice(0, 4).map(r => r.body.id)).size).toBe(4)
    expect(first[4]!.body.id).toBe(first[1]!.body.id)
    const again = await api('POST', `/rooms/${roomId}/messages`, { token: alice.token, body: { content: 'again', client_msg_id: 'ABC-1' } })
    expect(again.status).toBe(200)
    expect(again.body.id).toBe(first[2]!.body.id)
    // The same over the socket, where sends are batched into one transaction.
    const socket = await connect({ token: alice.token, base: server.url, origin: null })
    const acks = await Promise.all(['Xyz-2', 'xyz-2', 'XYZ-2', 'xyz-2'].map(id => socket.request('send_message', { room_id: roomId, content: `ws ${id}`, client_msg_id: id })))
    expect(acks.map(a => a.type)).toEqual(['message_ack', 'message_ack', 'message_ack', 'message_ack'])
    expect(new Set(acks.map(a => a.payload.message.id)).size).toBe(3)
    expect(acks.map(a => a.payload.message.client_msg_id)).toEqual(['Xyz-2', 'xyz-2', 'XYZ-2', 'xyz-2'])
  })

  it('the users table survived every string above, and the server is healthy', async () => {
    const login = await api('POST', '/auth/login', { body: { email: alice.user.email, password: alice.password } })
    expect(login.status).toBe(200)
    const fresh = await registerUser({ base: server.url })
    expect((await api('GET', `/users/${fresh.user.id}`, { token: alice.token })).body.username).toBe(fresh.user.username)
    await expectHealthy(server)
  })
})
