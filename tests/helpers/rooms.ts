/** Flows for room tests: create rooms with people in given roles, post messages, replay the log. */
import { expect } from 'vitest'
import type { Member, MemberRole, Message, PublicUser, Room, RoomEvent } from '../../shared/protocol/objects'
import { api, registerUser, type TestUser } from './api'

export async function createGroup(owner: TestUser, body: Record<string, unknown> = {}): Promise<Room> {
  const res = await api<Room>('POST', '/rooms', { token: owner.token, body: { name: 'Team room', ...body } })
  if (res.status !== 201) throw new Error(`create room failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

export async function invite(actor: TestUser, roomId: number, user: TestUser): Promise<void> {
  const res = await api('POST', `/rooms/${roomId}/members`, { token: actor.token, body: { user_id: user.user.id } })
  if (res.status !== 201) throw new Error(`invite failed: ${res.status} ${JSON.stringify(res.body)}`)
}

export async function makeAdmin(owner: TestUser, roomId: number, user: TestUser): Promise<void> {
  const res = await api('PUT', `/rooms/${roomId}/members/${user.user.id}`, { token: owner.token, body: { role: 'admin' } })
  if (res.status !== 200) throw new Error(`role change failed: ${res.status} ${JSON.stringify(res.body)}`)
}

export async function send(user: TestUser, roomId: number, content: string, extra: Record<string, unknown> = {}): Promise<Message> {
  const res = await api<Message>('POST', `/rooms/${roomId}/messages`, { token: user.token, body: { content, ...extra } })
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

/** A room with an owner, an admin, a plain member, and an outsider who is in no room with them. */
export async function roomWithRoles() {
  const [owner, admin, member, outsider] = await Promise.all([registerUser(), registerUser(), registerUser(), registerUser()])
  const room = await createGroup(owner, { name: 'Secret plans', member_ids: [admin.user.id, member.user.id] })
  await makeAdmin(owner, room.id, admin)
  return { owner, admin, member, outsider, room }
}

export async function allEvents(user: TestUser, roomId: number, afterSeq = 0): Promise<RoomEvent[]> {
  const out: RoomEvent[] = []
  for (let after = afterSeq; ;) {
    const res = await api<RoomEvent[]>('GET', `/rooms/${roomId}/events?after_seq=${after}&limit=500`, { token: user.token })
    expect(res.status).toBe(200)
    out.push(...res.body)
    if (res.body.length < 500) return out
    after = res.body.at(-1)!.seq
  }
}

export async function allMessages(user: TestUser, roomId: number): Promise<Message[]> {
  const out: Message[] = []
  for (let after = 0; ;) {
    const res = await api<Message[]>('GET', `/rooms/${roomId}/messages?after_seq=${after}&limit=100`, { token: user.token })
    expect(res.status).toBe(200)
    out.push(...res.body)
    if (res.body.length < 100) return out
    after = res.body.at(-1)!.seq
  }
}

/** What a client holds after applying a room's log from the start, as PROTOCOL.md's delivery contract says. */
export function replay(events: RoomEvent[]) {
  const messages = new Map<number, Message>()
  const members = new Map<number, Pick<Member, 'user' | 'role'>>()
  let lastSeq = 0
  for (const e of events) {
    expect(e.seq).toBe(lastSeq + 1)
    lastSeq = e.seq
    const p = e.payload as { id: number, user: PublicUser, role: MemberRole, user_id: number, event_seq?: number }
    switch (e.type) {
      case 'new_message':
      case 'message_updated': {
        const { event_seq: _eventSeq, ...message } = p
        messages.set(p.id, message as unknown as Message)
        break
      }
      case 'message_deleted': {
        const m = messages.get(p.id)!
        messages.set(p.id, { ...m, content: '', is_deleted: true })
        break
      }
      case 'member_added':
      case 'member_updated':
        members.set(p.user.id, { user: p.user, role: p.role })
        break
      case 'member_removed':
        members.delete(p.user_id)
        break
    }
  }
  return { messages: [...messages.values()].sort((a, b) => a.seq - b.seq), members, lastSeq }
}
