import mysql from 'mysql2/promise'
import { describe, expect, inject, it } from 'vitest'
import type { Member, Message, RoomEvent } from '../../shared/protocol/objects'
import { api, registerUser } from '../helpers/api'
import { allEvents, allMessages, createGroup, invite, makeAdmin, replay, send } from '../helpers/rooms'

describe('the room event log', () => {
  it('replays messages, edits, deletions and membership so a client ends with the server\'s state', async () => {
    const [a, b, c, d] = await Promise.all(Array.from({ length: 4 }, () => registerUser()))
    const room = await createGroup(a!, { member_ids: [b!.user.id] })
    const SECRET = 'delete me: 비밀 🔒'
    const m1 = await send(a!, room.id, 'hello 안녕')
    const m2 = await send(b!, room.id, SECRET)
    await invite(b!, room.id, c!)
    const m3 = await send(c!, room.id, 'hi from c')
    await api('PUT', `/rooms/${room.id}/messages/${m1.id}`, { token: a!.token, body: { content: 'hello, edited' } })
    await api('DELETE', `/rooms/${room.id}/messages/${m2.id}`, { token: a!.token })
    await makeAdmin(a!, room.id, c!)
    await invite(a!, room.id, d!)
    await api('DELETE', `/rooms/${room.id}/members/${b!.user.id}`, { token: c!.token })
    await api('PUT', `/rooms/${room.id}`, { token: a!.token, body: { name: 'Renamed room' } })
    await api('POST', `/rooms/${room.id}/read`, { token: c!.token, body: { message_id: m3.id } }) // c joined before m3
    await api('POST', `/rooms/${room.id}/leave`, { token: a!.token }) // ownership passes to c, the admin
    await send(d!, room.id, 'last word')

    const events = await allEvents(c!, room.id)
    expect(JSON.stringify(events)).not.toContain('delete me')
    expect(events.map(e => e.type)).toEqual([
      'member_added', 'member_added', 'new_message', 'new_message', 'member_added', 'new_message', 'message_updated', 'message_deleted',
      'member_updated', 'member_added', 'member_removed', 'room_updated', 'read_updated', 'member_removed', 'member_updated', 'room_updated', 'new_message',
    ])
    for (const e of events) {
      expect(e.room_id).toBe(room.id)
      expect(e.payload.event_seq).toBe(e.seq)
      expect(Date.parse(e.created_at)).toBeGreaterThan(0)
    }
    const byType = (type: string) => events.filter(e => e.type === type)
    expect(byType('message_updated')[0]!.payload).toMatchObject({ id: m1.id, seq: m1.seq, content: 'hello, edited', is_edited: true })
    expect(byType('message_deleted')[0]!.payload).toEqual({ room_id: room.id, id: m2.id, seq: 8, event_seq: 8 })
    expect(byType('member_removed')[0]!.payload).toEqual({ room_id: room.id, seq: 11, user_id: b!.user.id, member_count: 3, event_seq: 11 })
    expect(byType('room_updated')[0]!.payload).toMatchObject({ id: room.id, name: 'Renamed room', seq: 12, owner_id: a!.user.id, member_count: 3 })
    expect(byType('room_updated')[1]!.payload).toMatchObject({ owner_id: c!.user.id, member_count: 2 })
    expect(byType('new_message')[1]!.payload).toMatchObject({ id: m2.id, is_deleted: true, content: '' })

    const state = replay(events)
    const messages = await allMessages(c!, room.id)
    expect(state.messages).toEqual(messages)
    const members = (await api<Member[]>('GET', `/rooms/${room.id}/members`, { token: c!.token })).body
    expect([...state.members.values()].map(m => [m.user.id, m.role]).sort()).toEqual(members.map(m => [m.user.id, m.role]).sort())
    expect(state.lastSeq).toBe((await api('GET', `/rooms/${room.id}`, { token: c!.token })).body.last_seq)

    // Catching up from the middle gives exactly the tail.
    const tail = await api<RoomEvent[]>('GET', `/rooms/${room.id}/events?after_seq=10&limit=3`, { token: d!.token })
    expect(tail.body.map(e => e.seq)).toEqual([11, 12, 13])
    const past = await api<RoomEvent[]>('GET', `/rooms/${room.id}/events?after_seq=1000`, { token: d!.token })
    expect(past.body).toEqual([])
    // Someone removed sees nothing of the room any more.
    expect((await api('GET', `/rooms/${room.id}/events?after_seq=0`, { token: b!.token })).status).toBe(404)
  })

  it('answers 410 RESYNC_REQUIRED when the log no longer reaches back that far', async () => {
    const a = await registerUser()
    const room = await createGroup(a)
    for (let i = 0; i < 5; i++) await send(a, room.id, `m${i}`)
    // Simulate pruning: nothing prunes yet, but clients must already handle it.
    const conn = await mysql.createConnection({ host: process.env.DB_HOST || '127.0.0.1', user: process.env.DB_USER || 'root', password: process.env.DB_PASS || '', database: inject('dbName') })
    await conn.query('DELETE FROM room_events WHERE room_id = ? AND seq <= 3', [room.id])
    await conn.end()
    const gone = await api('GET', `/rooms/${room.id}/events?after_seq=1`, { token: a.token })
    expect(gone.status).toBe(410)
    expect(gone.body.code).toBe('RESYNC_REQUIRED')
    const ok = await api<RoomEvent[]>('GET', `/rooms/${room.id}/events?after_seq=3`, { token: a.token })
    expect(ok.body.map(e => e.seq)).toEqual([4, 5, 6])
    const messages = await api<Message[]>('GET', `/rooms/${room.id}/messages`, { token: a.token })
    expect(messages.body).toHaveLength(5)
  })
})
