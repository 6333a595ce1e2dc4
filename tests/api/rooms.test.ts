import { describe, expect, it } from 'vitest'
import type { Member, Room } from '../../shared/protocol/objects'
import { api, registerUser } from '../helpers/api'
import { createGroup, invite, makeAdmin, send } from '../helpers/rooms'

describe('creating rooms', () => {
  it('creates a group room owned by the creator, with initial members', async () => {
    // c signs up before b, so listing by user id instead of by join order would put c first.
    const [a, c] = await Promise.all([registerUser(), registerUser()])
    const b = await registerUser()
    const res = await api<Room>('POST', '/rooms', { token: a.token, body: { name: '  Launch  ', description: 'All things launch', member_ids: [b.user.id, c.user.id, b.user.id, a.user.id] } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      name: 'Launch', description: 'All things launch', room_type: 'group', owner_id: a.user.id, avatar_url: null, max_members: 1000,
      member_count: 3, unread_count: 0, last_message: null, last_seq: 3, my_role: 'owner',
    })
    expect(Date.parse(res.body.created_at)).toBeGreaterThan(Date.now() - 60_000)
    const members = await api<Member[]>('GET', `/rooms/${res.body.id}/members`, { token: c.token })
    expect(members.body.map(m => [m.user.id, m.role])).toEqual([[a.user.id, 'owner'], [b.user.id, 'member'], [c.user.id, 'member']])
    expect(JSON.stringify(members.body)).not.toContain('@')
    expect((await api<Room>('GET', `/rooms/${res.body.id}`, { token: b.token })).body.my_role).toBe('member')
  })

  it('refuses bad room input with field errors and never trusts owner, type or counts from the body', async () => {
    const a = await registerUser()
    const cases: Array<[unknown, string]> = [
      [{}, 'name'], [{ name: '' }, 'name'], [{ name: '   ' }, 'name'], [{ name: 'x'.repeat(101) }, 'name'], [{ name: 'a\u0001b' }, 'name'],
      [{ name: 'ok', description: 'x'.repeat(501) }, 'description'], [{ name: 'ok', room_type: 'channel' }, 'room_type'],
      [{ name: 'ok', member_ids: [0] }, 'member_ids.0'], [{ name: 'ok', member_ids: ['5'] }, 'member_ids.0'], [{ name: 'ok', member_ids: 5 }, 'member_ids'],
      [{ name: 'ok', owner_id: 1 }, '_'], [{ name: 'ok', member_count: 5 }, '_'], [{ room_type: 'private', member_ids: [] }, 'member_ids'],
      [{ name: 'ok', max_members: 1 }, 'max_members'],
    ]
    for (const [body, field] of cases) {
      const res = await api('POST', '/rooms', { token: a.token, body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(Object.keys(res.body.fields ?? {}), JSON.stringify(body)).toContain(field)
    }
    expect((await api('POST', '/rooms', { token: a.token, body: { name: 'ok', member_ids: [999999999] } })).status).toBe(404)
    expect((await api('POST', '/rooms', { token: a.token, body: { room_type: 'private', member_ids: [a.user.id] } })).status).toBe(400)
  })

  it('keeps one direct room per pair, from either side and under a race, and never lets a third in', async () => {
    const [a, b, c] = await Promise.all([registerUser(), registerUser(), registerUser()])
    const first = await api<Room>('POST', '/rooms', { token: a.token, body: { room_type: 'private', member_ids: [b.user.id] } })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ room_type: 'private', member_count: 2, max_members: 2, name: b.user.username, peer: { id: b.user.id, username: b.user.username } })
    const fromB = await api<Room>('POST', '/rooms', { token: b.token, body: { room_type: 'private', member_ids: [a.user.id], name: 'ignored' } })
    expect(fromB.status).toBe(200)
    expect(fromB.body).toMatchObject({ id: first.body.id, name: a.user.username, peer: { id: a.user.id } })
    const again = await api<Room>('POST', '/rooms', { token: a.token, body: { room_type: 'private', member_ids: [b.user.id] } })
    expect(again.status).toBe(200)
    expect(again.body.id).toBe(first.body.id)

    const invited = await api('POST', `/rooms/${first.body.id}/members`, { token: a.token, body: { user_id: c.user.id } })
    expect(invited.status).toBe(403)
    expect((await api('PUT', `/rooms/${first.body.id}`, { token: a.token, body: { name: 'x' } })).status).toBe(403)

    const race = await Promise.all([
      api<Room>('POST', '/rooms', { token: a.token, body: { room_type: 'private', member_ids: [c.user.id] } }),
      api<Room>('POST', '/rooms', { token: c.token, body: { room_type: 'private', member_ids: [a.user.id] } }),
      api<Room>('POST', '/rooms', { token: c.token, body: { room_type: 'private', member_ids: [a.user.id] } }),
    ])
    expect(race.map(r => r.status).sort()).toEqual([200, 200, 201])
    expect(new Set(race.map(r => r.body.id)).size).toBe(1)
    expect(race[0]!.body.member_count).toBe(2)

    // Someone who left is let back in when either side opens the direct room again.
    await api('POST', `/rooms/${first.body.id}/leave`, { token: b.token })
    const reopened = await api<Room>('POST', '/rooms', { token: a.token, body: { room_type: 'private', member_ids: [b.user.id] } })
    expect(reopened.status).toBe(200)
    expect(reopened.body).toMatchObject({ id: first.body.id, member_count: 2 })
    expect((await api('GET', `/rooms/${first.body.id}`, { token: b.token })).status).toBe(200)
    // ...also when both sides open it at the same moment.
    await api('POST', `/rooms/${first.body.id}/leave`, { token: b.token })
    const both = await Promise.all([a, b, a, b].map(u => api<Room>('POST', '/rooms', { token: u.token, body: { room_type: 'private', member_ids: [u === a ? b.user.id : a.user.id] } })))
    expect(both.map(r => r.status)).toEqual([200, 200, 200, 200])
    expect((await api<Member[]>('GET', `/rooms/${first.body.id}/members`, { token: b.token })).body).toHaveLength(2)
  })
})

describe('the room list', () => {
  it('lists my rooms by recent activity with member count, unread count and the last message with its sender', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const r1 = await createGroup(a, { name: 'one', member_ids: [b.user.id] })
    const r2 = await createGroup(a, { name: 'two' })
    const r3 = await createGroup(b, { name: 'three', member_ids: [a.user.id] })
    await createGroup(b, { name: 'not mine' })
    await send(b, r1.id, 'hello from b')
    await send(b, r1.id, '두 번째')
    const list = (await api<Room[]>('GET', '/rooms', { token: a.token })).body
    expect(list.map(r => r.id)).toEqual([r1.id, r3.id, r2.id])
    expect(list[0]).toMatchObject({ member_count: 2, unread_count: 2, last_message: { content: '두 번째', sender: { id: b.user.id, username: b.user.username } } })
    expect(list[0]!.last_message!.sender).not.toHaveProperty('email')
    expect(list[1]).toMatchObject({ my_role: 'member', unread_count: 0, last_message: null })
    await send(a, r2.id, 'bump')
    expect((await api<Room[]>('GET', '/rooms', { token: a.token })).body.map(r => r.id)).toEqual([r2.id, r1.id, r3.id])
  })

  it('lets owner and admin rename and describe, with field errors for bad input', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createGroup(a, { description: 'old', member_ids: [b.user.id] })
    await makeAdmin(a, room.id, b)
    const res = await api<Room>('PUT', `/rooms/${room.id}`, { token: b.token, body: { name: '새 이름', description: '' } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ name: '새 이름', description: null, owner_id: a.user.id })
    for (const body of [{ name: '' }, { name: 'x'.repeat(101) }, { owner_id: b.user.id }, { max_members: 5 }]) {
      expect((await api('PUT', `/rooms/${room.id}`, { token: a.token, body })).status, JSON.stringify(body)).toBe(400)
    }
    expect((await api<Room>('GET', `/rooms/${room.id}`, { token: a.token })).body.owner_id).toBe(a.user.id)
  })
})

describe('members', () => {
  it('lets any member invite, refuses existing members, unknown users and a full room', async () => {
    const [a, b, c, d] = await Promise.all([registerUser(), registerUser(), registerUser(), registerUser()])
    const room = await createGroup(a, { max_members: 3, member_ids: [b.user.id] })
    await send(a, room.id, 'before c joined')
    const res = await api<Member>('POST', `/rooms/${room.id}/members`, { token: b.token, body: { user_id: c.user.id } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ user: { id: c.user.id, username: c.user.username }, role: 'member' })
    expect(res.body.user).not.toHaveProperty('email')
    const dup = await api('POST', `/rooms/${room.id}/members`, { token: a.token, body: { user_id: c.user.id } })
    expect(dup.status).toBe(409)
    expect(dup.body.code).toBe('ALREADY_MEMBER')
    const full = await api('POST', `/rooms/${room.id}/members`, { token: a.token, body: { user_id: d.user.id } })
    expect(full.status).toBe(409)
    expect(full.body.code).toBe('ROOM_FULL')
    expect((await api('POST', `/rooms/${room.id}/members`, { token: a.token, body: { user_id: 999999999 } })).status).toBe(404)
    expect((await api('POST', `/rooms/${room.id}/members`, { token: a.token, body: { user_id: 'x' } })).status).toBe(400)
    expect((await api('POST', `/rooms/${room.id}/members`, { token: a.token, body: { user_id: d.user.id, role: 'owner' } })).status).toBe(400)
    expect((await api<Room>('GET', `/rooms/${room.id}`, { token: c.token })).body).toMatchObject({ member_count: 3, unread_count: 0 })
    // History from before joining is readable but not "unread"; what comes after is.
    expect((await api('GET', `/rooms/${room.id}/messages`, { token: c.token })).body).toHaveLength(1)
    await send(b, room.id, 'welcome c')
    expect((await api<Room>('GET', `/rooms/${room.id}`, { token: c.token })).body.unread_count).toBe(1)
  })

  it('keeps admins from removing the owner or other admins, and 404s a non-member target', async () => {
    const [a, b, c, d] = await Promise.all([registerUser(), registerUser(), registerUser(), registerUser()])
    const room = await createGroup(a, { member_ids: [b.user.id, c.user.id] })
    await makeAdmin(a, room.id, b)
    await makeAdmin(a, room.id, c)
    expect((await api('DELETE', `/rooms/${room.id}/members/${a.user.id}`, { token: b.token })).status).toBe(403)
    expect((await api('DELETE', `/rooms/${room.id}/members/${c.user.id}`, { token: b.token })).status).toBe(403)
    expect((await api('DELETE', `/rooms/${room.id}/members/${d.user.id}`, { token: a.token })).status).toBe(404)
    expect((await api('DELETE', `/rooms/${room.id}/members/${c.user.id}`, { token: a.token })).status).toBe(204)
    expect((await api('GET', `/rooms/${room.id}`, { token: c.token })).status).toBe(404)
    expect((await api('PUT', `/rooms/${room.id}/members/${a.user.id}`, { token: a.token, body: { role: 'member' } })).status).toBe(400)
    expect((await api('PUT', `/rooms/${room.id}/members/${b.user.id}`, { token: a.token, body: { role: 'owner' } })).status).toBe(400)
  })

  it('passes ownership to the longest-standing admin, then member, and the last one out deletes the room', async () => {
    const [owner, m1, m2, adminLate, adminEarly] = await Promise.all(Array.from({ length: 5 }, () => registerUser()))
    const room = await createGroup(owner!)
    for (const u of [m1!, m2!, adminEarly!, adminLate!]) await invite(owner!, room.id, u)
    await makeAdmin(owner!, room.id, adminLate!)
    await makeAdmin(owner!, room.id, adminEarly!)
    const ownerOf = async (as: typeof owner) => (await api<Room>('GET', `/rooms/${room.id}`, { token: as!.token })).body.owner_id

    const left = await api('POST', `/rooms/${room.id}/leave`, { token: owner!.token })
    expect(left.status).toBe(200)
    expect(left.body).toMatchObject({ room_deleted: false })
    expect(await ownerOf(m1)).toBe(adminEarly!.user.id)
    await api('POST', `/rooms/${room.id}/leave`, { token: adminEarly!.token })
    expect(await ownerOf(m1)).toBe(adminLate!.user.id)
    await api('POST', `/rooms/${room.id}/leave`, { token: adminLate!.token })
    expect(await ownerOf(m2)).toBe(m1!.user.id)
    const members = (await api<Member[]>('GET', `/rooms/${room.id}/members`, { token: m2!.token })).body
    expect(members.map(m => [m.user.id, m.role])).toEqual([[m1!.user.id, 'owner'], [m2!.user.id, 'member']])

    await api('DELETE', `/rooms/${room.id}/members/${m1!.user.id}`, { token: m1!.token }) // removing yourself is leaving
    expect(await ownerOf(m2)).toBe(m2!.user.id)
    const last = await api('POST', `/rooms/${room.id}/leave`, { token: m2!.token })
    expect(last.body).toMatchObject({ room_deleted: true })
    expect((await api('GET', `/rooms/${room.id}`, { token: m2!.token })).status).toBe(404)
    expect((await api('POST', `/rooms/${room.id}/leave`, { token: m2!.token })).status).toBe(404)
  })

  it('deletes a room for everyone when the owner deletes it', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createGroup(a, { member_ids: [b.user.id] })
    await send(b, room.id, 'bye')
    expect((await api('DELETE', `/rooms/${room.id}`, { token: a.token })).status).toBe(204)
    expect((await api('GET', `/rooms/${room.id}/messages`, { token: b.token })).status).toBe(404)
    expect((await api<Room[]>('GET', '/rooms', { token: b.token })).body.map(r => r.id)).not.toContain(room.id)
  })
})
