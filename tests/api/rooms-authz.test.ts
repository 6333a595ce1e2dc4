/**
 * The authorization matrix: every room route against an anonymous caller, a non-member, a member,
 * an admin and the owner. Each case gets a fresh room so destructive routes cannot affect others.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { api, registerUser, type TestUser } from '../helpers/api'
import { createGroup, makeAdmin, send } from '../helpers/rooms'

type Caller = 'anonymous' | 'outsider' | 'member' | 'admin' | 'owner'
const CALLERS: Caller[] = ['anonymous', 'outsider', 'member', 'admin', 'owner']

interface Fixture { roomId: number, ownerMsg: number, memberMsg: number, ids: Record<'owner' | 'admin' | 'member' | 'extra', number> }
interface Route { name: string, method: string, path: (f: Fixture) => string, body?: (f: Fixture) => unknown, expect: [401, 404, number, number, number] }

const ROUTES: Route[] = [
  { name: 'show room', method: 'GET', path: f => `/rooms/${f.roomId}`, expect: [401, 404, 200, 200, 200] },
  { name: 'rename room', method: 'PUT', path: f => `/rooms/${f.roomId}`, body: () => ({ name: 'Renamed' }), expect: [401, 404, 403, 200, 200] },
  { name: 'delete room', method: 'DELETE', path: f => `/rooms/${f.roomId}`, expect: [401, 404, 403, 403, 204] },
  { name: 'list members', method: 'GET', path: f => `/rooms/${f.roomId}/members`, expect: [401, 404, 200, 200, 200] },
  { name: 'invite', method: 'POST', path: f => `/rooms/${f.roomId}/members`, body: f => ({ user_id: f.ids.extra }), expect: [401, 404, 201, 201, 201] },
  { name: 'remove the plain member', method: 'DELETE', path: f => `/rooms/${f.roomId}/members/${f.ids.member}`, expect: [401, 404, 204, 204, 204] },
  { name: 'remove the admin', method: 'DELETE', path: f => `/rooms/${f.roomId}/members/${f.ids.admin}`, expect: [401, 404, 403, 204, 204] },
  { name: 'remove the owner', method: 'DELETE', path: f => `/rooms/${f.roomId}/members/${f.ids.owner}`, expect: [401, 404, 403, 403, 204] },
  { name: 'change a role', method: 'PUT', path: f => `/rooms/${f.roomId}/members/${f.ids.member}`, body: () => ({ role: 'admin' }), expect: [401, 404, 403, 403, 200] },
  { name: 'leave', method: 'POST', path: f => `/rooms/${f.roomId}/leave`, expect: [401, 404, 200, 200, 200] },
  { name: 'read history', method: 'GET', path: f => `/rooms/${f.roomId}/messages`, expect: [401, 404, 200, 200, 200] },
  { name: 'post a message', method: 'POST', path: f => `/rooms/${f.roomId}/messages`, body: () => ({ content: 'hello' }), expect: [401, 404, 201, 201, 201] },
  { name: "edit the owner's message", method: 'PUT', path: f => `/rooms/${f.roomId}/messages/${f.ownerMsg}`, body: () => ({ content: 'edited' }), expect: [401, 404, 403, 403, 200] },
  { name: "edit the member's message", method: 'PUT', path: f => `/rooms/${f.roomId}/messages/${f.memberMsg}`, body: () => ({ content: 'edited' }), expect: [401, 404, 200, 403, 403] },
  { name: "delete the owner's message", method: 'DELETE', path: f => `/rooms/${f.roomId}/messages/${f.ownerMsg}`, expect: [401, 404, 403, 204, 204] },
  { name: "delete the member's message", method: 'DELETE', path: f => `/rooms/${f.roomId}/messages/${f.memberMsg}`, expect: [401, 404, 204, 204, 204] },
  { name: 'mark read', method: 'POST', path: f => `/rooms/${f.roomId}/read`, body: f => ({ message_id: f.ownerMsg }), expect: [401, 404, 204, 204, 204] },
  { name: 'read the event log', method: 'GET', path: f => `/rooms/${f.roomId}/events?after_seq=0`, expect: [401, 404, 200, 200, 200] },
]

const SECRET_NAME = 'Quarterly secret plans'
const SECRET_TEXT = 'the launch date is friday'
let users: Record<'owner' | 'admin' | 'member' | 'outsider' | 'extra', TestUser>

async function fixture(): Promise<Fixture> {
  const room = await createGroup(users.owner, { name: SECRET_NAME, member_ids: [users.admin.user.id, users.member.user.id] })
  await makeAdmin(users.owner, room.id, users.admin)
  const [ownerMsg, memberMsg] = await Promise.all([send(users.owner, room.id, SECRET_TEXT), send(users.member, room.id, `${SECRET_TEXT} (member)`)])
  return { roomId: room.id, ownerMsg: ownerMsg.id, memberMsg: memberMsg.id, ids: { owner: users.owner.user.id, admin: users.admin.user.id, member: users.member.user.id, extra: users.extra.user.id } }
}

beforeAll(async () => {
  const [owner, admin, member, outsider, extra] = await Promise.all(Array.from({ length: 5 }, () => registerUser()))
  users = { owner: owner!, admin: admin!, member: member!, outsider: outsider!, extra: extra! }
})

describe('room routes by caller', () => {
  it.each(ROUTES)('$name ($method): anonymous 401, outsider 404, member/admin/owner $expect', async (route) => {
    await Promise.all(CALLERS.map(async (caller, i) => {
      const f = await fixture()
      const token = caller === 'anonymous' ? undefined : users[caller].token
      const res = await api(route.method, route.path(f), { token, body: route.body?.(f) })
      expect(res.status, `${caller} on ${route.name}: ${JSON.stringify(res.body)}`).toBe(route.expect[i])
      if (caller === 'outsider') {
        // A non-member learns nothing: the same body as for a room that does not exist.
        expect(res.body).toEqual({ error: 'Room not found', code: 'NOT_FOUND' })
        const text = JSON.stringify(res.body)
        expect(text).not.toContain(SECRET_NAME)
        expect(text).not.toContain(SECRET_TEXT)
      }
    }))
  })

  it('answers a room that does not exist exactly like one you are not in', async () => {
    const f = await fixture()
    const missing = await api('GET', '/rooms/999999999/messages', { token: users.outsider.token })
    const hidden = await api('GET', `/rooms/${f.roomId}/messages`, { token: users.outsider.token })
    expect(missing.status).toBe(404)
    expect(hidden.body).toEqual(missing.body)
  })

  it('keeps rooms out of the outsider\'s list and refuses anonymous calls to the collection routes', async () => {
    await fixture()
    const list = await api('GET', '/rooms', { token: users.outsider.token })
    expect(list.status).toBe(200)
    expect(JSON.stringify(list.body)).not.toContain(SECRET_NAME)
    for (const [method, path] of [['GET', '/rooms'], ['POST', '/rooms'], ['GET', '/users?q=a'], ['GET', `/users/${users.owner.user.id}`]] as const) {
      const res = await api(method, path, { body: method === 'POST' ? { name: 'x' } : undefined })
      expect(res.status, `${method} ${path}`).toBe(401)
    }
  })
})
