/**
 * The services' side of real time: what they emit through the domain-event seam, checked in-process
 * against a database of this file's own (the socket layer subscribes to exactly these events).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dropDatabase, testEnv, uniqueDbName } from '../helpers/server'
import type { DomainEvent } from '../../server/services/domain-events'

const dbName = uniqueDbName('mm_events')
Object.assign(process.env, testEnv(dbName))

const { onDomainEvent } = await import('../../server/services/domain-events')
const { closeDb, useDb } = await import('../../server/lib/db/client')
const { users } = await import('../../drizzle/schema')
const rooms = await import('../../server/services/rooms')
const membership = await import('../../server/services/membership')
const messages = await import('../../server/services/messages')

const seen: DomainEvent[] = []
onDomainEvent(e => seen.push(e))
const take = () => seen.splice(0)

let n = 0
async function user(): Promise<number> {
  const db = await useDb()
  n++
  const [res] = await db.insert(users).values({ email: `ev${n}@example.test`, username: `ev_${n}_${Date.now().toString(36)}`, passwordHash: 'x' })
  return res.insertId
}

beforeAll(async () => {
  await useDb()
})
afterAll(async () => {
  await closeDb()
  await dropDatabase(dbName)
})

describe('domain events emitted by the room services', () => {
  it('announces creation, invitations, messages, reads, removal and deletion after commit, with the log\'s seqs', async () => {
    const [a, b, c] = [await user(), await user(), await user()]
    const { room } = await rooms.createRoom(a, { name: 'Events', room_type: 'group', member_ids: [b] })
    let events = take()
    expect(events.map(e => e.kind === 'room_event' ? [e.type, e.seq, e.addedUserIds] : [e.kind])).toEqual([
      ['member_added', 1, [a]], ['member_added', 2, [b]], ['user_frame'],
    ])
    expect(events[2]).toMatchObject({ kind: 'user_frame', userIds: [b], type: 'room_invited', payload: { room: { id: room.id, my_role: 'member', member_count: 2 }, inviter: { id: a } } })

    // A WebSocket payload carries room_id too; the service takes what it needs.
    const sent = await messages.sendMessage(b, room.id, { content: 'hi', client_msg_id: 'k1', room_id: room.id } as never)
    expect(sent.created).toBe(true)
    expect(take()).toEqual([{ kind: 'room_event', roomId: room.id, seq: 3, type: 'new_message', payload: { ...sent.message, event_seq: 3 } }])
    const repeat = await messages.sendMessage(b, room.id, { content: 'hi', client_msg_id: 'k1' })
    expect(repeat).toEqual({ message: sent.message, created: false })
    expect(take()).toEqual([])

    await membership.addMember(b, room.id, c)
    events = take()
    expect(events[0]).toMatchObject({ kind: 'room_event', seq: 4, type: 'member_added', addedUserIds: [c], payload: { user: { id: c }, role: 'member', member_count: 3, event_seq: 4 } })
    expect(events[1]).toMatchObject({ kind: 'user_frame', userIds: [c], type: 'room_invited', payload: { inviter: { id: b }, room: { id: room.id, last_seq: 4 } } })

    await messages.markRead(a, room.id, sent.message.id)
    expect(take()).toEqual([{ kind: 'room_event', roomId: room.id, seq: 5, type: 'read_updated', payload: { room_id: room.id, seq: 5, user_id: a, message_id: sent.message.id, event_seq: 5 } }])
    await messages.markRead(a, room.id, sent.message.id)
    expect(take()).toEqual([])

    const edited = await messages.editMessage(b, room.id, sent.message.id, 'hello')
    expect(take()).toEqual([{ kind: 'room_event', roomId: room.id, seq: 6, type: 'message_updated', payload: { ...edited, event_seq: 6 } }])
    await messages.deleteMessage(a, room.id, sent.message.id)
    expect(take()).toEqual([{ kind: 'room_event', roomId: room.id, seq: 7, type: 'message_deleted', payload: { room_id: room.id, id: sent.message.id, seq: 7, event_seq: 7 } }])

    await membership.removeMember(a, room.id, c)
    expect(take()).toMatchObject([{ kind: 'room_event', seq: 8, type: 'member_removed', removedUserIds: [c], payload: { user_id: c, member_count: 2 } }])
    await membership.leaveRoom(a, room.id)
    expect(take().map(e => e.kind === 'room_event' ? [e.type, e.seq, e.removedUserIds ?? null] : [e.kind])).toEqual([
      ['member_removed', 9, [a]], ['member_updated', 10, null], ['room_updated', 11, null],
    ])
    await membership.leaveRoom(b, room.id)
    expect(take()).toEqual([{ kind: 'room_deleted', roomId: room.id, memberIds: [b] }])
  })

  it('announces nothing when a change is refused', async () => {
    const [a, b] = [await user(), await user()]
    const { room } = await rooms.createRoom(a, { name: 'Quiet', room_type: 'group', member_ids: [] })
    take()
    await expect(messages.sendMessage(b, room.id, { content: 'intruder' })).rejects.toMatchObject({ status: 404 })
    await expect(messages.sendMessage(a, room.id, { content: ' ' })).rejects.toMatchObject({ status: 400 })
    await expect(membership.requireMember(room.id, b)).rejects.toMatchObject({ status: 404, message: 'Room not found' })
    expect(take()).toEqual([])
    await expect(membership.memberCountFor(room.id, b)).rejects.toMatchObject({ status: 404, message: 'Room not found' })
    await membership.addMember(a, room.id, b)
    expect(await membership.memberCountFor(room.id, b)).toBe(2)
    expect(await membership.memberIdsOfRoom(room.id)).toEqual(expect.arrayContaining([a, b]))
    expect(await membership.roomIdsOfUser(b)).toEqual([room.id])
  })

  it('opens a direct room once and invites only the other person', async () => {
    const [a, b] = [await user(), await user()]
    take()
    const first = await rooms.createRoom(a, { name: '', room_type: 'private', member_ids: [b] })
    expect(first.created).toBe(true)
    const events = take()
    expect(events.filter(e => e.kind === 'user_frame')).toMatchObject([{ userIds: [b], type: 'room_invited', payload: { room: { peer: { id: a }, room_type: 'private' } } }])
    const second = await rooms.createRoom(b, { name: '', room_type: 'private', member_ids: [a] })
    expect(second).toMatchObject({ created: false, room: { id: first.room.id } })
    expect(take()).toEqual([])
  })
})
