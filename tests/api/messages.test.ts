import { describe, expect, it } from 'vitest'
import type { Message, Room } from '../../shared/protocol/objects'
import { api, registerUser } from '../helpers/api'
import { allEvents, allMessages, createGroup, send } from '../helpers/rooms'

describe('sequence under concurrency', () => {
  it('gives 20 concurrent senders x 50 messages exactly consecutive seqs, in each sender\'s order', async () => {
    const senders = await Promise.all(Array.from({ length: 20 }, () => registerUser()))
    const owner = senders[0]!
    const room = await createGroup(owner, { member_ids: senders.slice(1).map(s => s.user.id) })
    const before = (await api<Room>('GET', `/rooms/${room.id}`, { token: owner.token })).body.last_seq
    expect(before).toBe(20) // one member_added per person

    const sent = await Promise.all(senders.map(async (s, who) => {
      const mine: Message[] = []
      for (let i = 0; i < 50; i++) mine.push(await send(s, room.id, `from ${who}: ${i}`))
      return mine
    }))
    for (const mine of sent) {
      // Commit order is each sender's order: their seqs only grow.
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.seq).toBeGreaterThan(mine[i - 1]!.seq)
    }
    const seqs = sent.flat().map(m => m.seq).sort((a, b) => a - b)
    expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => before + 1 + i))

    const events = await allEvents(owner, room.id)
    expect(events.map(e => e.seq)).toEqual(Array.from({ length: 1020 }, (_, i) => i + 1))
    expect(events.filter(e => e.type === 'new_message')).toHaveLength(1000)
    const stored = await allMessages(owner, room.id)
    expect(stored.map(m => m.seq)).toEqual(seqs)
    const after = (await api<Room>('GET', `/rooms/${room.id}`, { token: owner.token })).body
    expect(after.last_seq).toBe(1020)
  }, 60_000)
})

describe('batched writes with outsiders and repeats mixed in', () => {
  it('refuses outsiders, answers repeats with the stored message, and leaves no gap in either room', async () => {
    const [alice, bob, outsider] = await Promise.all([registerUser(), registerUser(), registerUser()])
    const rooms = await Promise.all([createGroup(alice, { member_ids: [bob.user.id] }), createGroup(bob, { member_ids: [alice.user.id] })])
    const post = (user: typeof alice, roomId: number, content: string, clientMsgId: string) =>
      api<Message>('POST', `/rooms/${roomId}/messages`, { token: user.token, body: { content, client_msg_id: clientMsgId } })
    // Everything at once, so sends of members, outsiders and repeats share batches.
    const attempts = rooms.flatMap(room => Array.from({ length: 30 }, (_, i) => [
      { who: 'member', res: post(i % 2 ? alice : bob, room.id, `hello ${i}`, `r${room.id}-${i}`) },
      { who: 'outsider', res: post(outsider, room.id, `intruder ${i}`, `x${room.id}-${i}`) },
      { who: 'repeat', res: post(i % 2 ? alice : bob, room.id, `hello ${i}`, `r${room.id}-${i}`) },
    ]).flat())
    const settled = await Promise.all(attempts.map(async a => ({ who: a.who, ...(await a.res) })))
    for (const s of settled.filter(s => s.who === 'outsider')) expect(s.status).toBe(404)
    const stored = settled.filter(s => s.who !== 'outsider')
    for (const s of stored) expect([200, 201]).toContain(s.status)
    for (const room of rooms) {
      const messages = await allMessages(alice, room.id)
      // Each client_msg_id once, whichever of its two sends stored it; both answers name that message.
      expect(messages).toHaveLength(30)
      expect(new Set(messages.map(m => m.client_msg_id)).size).toBe(30)
      const byKey = new Map(messages.map(m => [m.client_msg_id, m.id]))
      for (const s of stored.filter(s => s.body.room_id === room.id)) expect(s.body.id).toBe(byKey.get(s.body.client_msg_id))
      const events = await allEvents(alice, room.id)
      expect(events.map(e => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1))
      const after = (await api<Room>('GET', `/rooms/${room.id}`, { token: alice.token })).body
      expect(after.last_seq).toBe(events.length)
      expect(after.last_message?.id).toBe(messages.at(-1)!.id)
    }
  }, 60_000)
})

describe('a send on its own (the single-message write path)', () => {
  it('stores Korean text verbatim, answers a repeat with the stored message, refuses an outsider, and consumes no seq on refusal', async () => {
    const [alice, bob, outsider] = await Promise.all([registerUser(), registerUser(), registerUser()])
    const room = await createGroup(alice, { member_ids: [bob.user.id] })
    const post = (user: typeof alice, content: string, clientMsgId?: string) =>
      api<Message>('POST', `/rooms/${room.id}/messages`, { token: user.token, body: { content, client_msg_id: clientMsgId } })
    // One request at a time: each send is a batch of its own.
    const text = '안녕하세요 👋 회의는 3시에 시작합니다 — ok?'
    const first = await post(bob, text, 'lone-1')
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ room_id: room.id, content: text, client_msg_id: 'lone-1', sender: { id: bob.user.id, username: bob.user.username } })
    const repeat = await post(bob, 'a different body', 'lone-1')
    expect(repeat.status).toBe(200)
    expect(repeat.body).toMatchObject({ id: first.body.id, seq: first.body.seq, content: text })
    expect((await post(outsider, 'let me in', 'lone-x')).status).toBe(404)
    const second = await post(alice, 'second')
    expect(second.status).toBe(201)
    expect(second.body.seq).toBe(first.body.seq + 1)

    const messages = await allMessages(alice, room.id)
    expect(messages.map(m => [m.id, m.content])).toEqual([[first.body.id, text], [second.body.id, 'second']])
    const events = await allEvents(alice, room.id)
    expect(events.map(e => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1))
    const after = (await api<Room>('GET', `/rooms/${room.id}`, { token: alice.token })).body
    expect(after.last_seq).toBe(second.body.seq)
    expect(after.last_message?.id).toBe(second.body.id)
  })
})

describe('history cursors', () => {
  it('pages back with `before` and forward with `after_seq` through 500 messages, skipping and repeating nothing', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createGroup(a, { member_ids: [b.user.id] })
    await Promise.all([a, b, a, b, a].map(async (u, k) => {
      for (let i = 0; i < 100; i++) await send(u, room.id, `m${k}-${i}`)
    }))
    const all = await allMessages(a, room.id)
    expect(all).toHaveLength(500)

    const back: Message[] = []
    let page = (await api<Message[]>('GET', `/rooms/${room.id}/messages?limit=37`, { token: b.token })).body
    while (page.length) {
      // Each page is oldest first and entirely older than what we already have.
      for (let i = 1; i < page.length; i++) expect(page[i]!.seq).toBeGreaterThan(page[i - 1]!.seq)
      if (back.length) expect(page.at(-1)!.seq).toBeLessThan(back[0]!.seq)
      back.unshift(...page)
      page = (await api<Message[]>('GET', `/rooms/${room.id}/messages?limit=37&before=${page[0]!.id}`, { token: b.token })).body
    }
    expect(back.map(m => m.id)).toEqual(all.map(m => m.id))

    const forward: Message[] = []
    for (let after = 0; ;) {
      const res = await api<Message[]>('GET', `/rooms/${room.id}/messages?after_seq=${after}&limit=41`, { token: b.token })
      if (!res.body.length) break
      forward.push(...res.body)
      after = res.body.at(-1)!.seq
    }
    expect(forward.map(m => m.id)).toEqual(all.map(m => m.id))

    const offset = await api<Message[]>('GET', `/rooms/${room.id}/messages?offset=10&limit=5`, { token: b.token })
    expect(offset.body.map(m => m.id)).toEqual(all.slice(485, 490).map(m => m.id))
    const newest = await api<Message[]>('GET', `/rooms/${room.id}/messages`, { token: b.token })
    expect(newest.body.map(m => m.id)).toEqual(all.slice(450).map(m => m.id))
  }, 60_000)

  it('refuses bad cursors and limits with a field error', async () => {
    const a = await registerUser()
    const room = await createGroup(a)
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'before=-1', 'before=0', 'after_seq=-1', 'offset=1.5', 'before=1&after_seq=2', 'after_seq=1&offset=2']) {
      const res = await api('GET', `/rooms/${room.id}/messages?${query}`, { token: a.token })
      expect(res.status, query).toBe(400)
      expect(res.body.code).toBe('VALIDATION_FAILED')
      expect(Object.keys(res.body.fields).length, query).toBeGreaterThan(0)
    }
    const unknownCursor = await api('GET', `/rooms/${room.id}/messages?before=999999999`, { token: a.token })
    expect(unknownCursor.status).toBe(404)
    for (const query of ['after_seq=0&limit=501', 'limit=10', 'after_seq=x']) {
      const res = await api('GET', `/rooms/${room.id}/events?${query}`, { token: a.token })
      expect(res.status, query).toBe(400)
    }
    expect((await api('GET', `/rooms/abc/messages`, { token: a.token })).status).toBe(400)
    expect((await api('GET', `/rooms/0/messages`, { token: a.token })).status).toBe(400)
  })
})

describe('posting', () => {
  it('is idempotent by client_msg_id: 200 with the stored message and no new seq, even when racing', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createGroup(a, { member_ids: [b.user.id] })
    const first = await api<Message>('POST', `/rooms/${room.id}/messages`, { token: a.token, body: { content: 'once', client_msg_id: 'c-1' } })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ content: 'once', client_msg_id: 'c-1', message_type: 'text', is_edited: false, is_deleted: false })
    const again = await api<Message>('POST', `/rooms/${room.id}/messages`, { token: a.token, body: { content: 'different text', client_msg_id: 'c-1' } })
    expect(again.status).toBe(200)
    expect(again.body).toEqual(first.body)
    // The same id from someone else is their own message.
    const other = await api<Message>('POST', `/rooms/${room.id}/messages`, { token: b.token, body: { content: 'mine', client_msg_id: 'c-1' } })
    expect(other.status).toBe(201)

    const racing = await Promise.all(Array.from({ length: 8 }, () => api<Message>('POST', `/rooms/${room.id}/messages`, { token: a.token, body: { content: 'race', client_msg_id: 'c-2' } })))
    expect(racing.map(r => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201])
    expect(new Set(racing.map(r => r.body.id)).size).toBe(1)
    const events = await api('GET', `/rooms/${room.id}/events?after_seq=0`, { token: a.token })
    const seqs = events.body.map((e: { seq: number }) => e.seq)
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
    expect(events.body.filter((e: { type: string }) => e.type === 'new_message')).toHaveLength(3)
  })

  it('round-trips Korean and emoji, trims outer white space and keeps inner newlines and tabs', async () => {
    const a = await registerUser()
    const room = await createGroup(a, { name: '우리 팀 🚀', description: '한국어 설명' })
    expect(room.name).toBe('우리 팀 🚀')
    const text = '안녕하세요 👋🏽\n\t둘째 줄 — 👨‍👩‍👧‍👦'
    const posted = await send(a, room.id, `  ${text}  `)
    expect(posted.content).toBe(text)
    const [read] = (await api<Message[]>('GET', `/rooms/${room.id}/messages`, { token: a.token })).body
    expect(read!.content).toBe(text)
    const long = await api('POST', `/rooms/${room.id}/messages`, { token: a.token, body: { content: '가'.repeat(4000) } })
    expect(long.status).toBe(201)
  })

  it('refuses bad messages with a field error, never a 500', async () => {
    const a = await registerUser()
    const room = await createGroup(a)
    const bodies: unknown[] = [
      {}, { content: '' }, { content: '   \n ' }, { content: 'x'.repeat(4001) }, { content: 'nul \u0000 here' }, { content: 'bell \u0007' },
      { content: 42 }, { content: 'hi', message_type: 'system' }, { content: 'hi', message_type: 'image' }, { content: 'hi', client_msg_id: 'x'.repeat(65) },
      { content: 'hi', seq: 1 }, { content: 'hi', sender_id: 1 }, { content: 'hi', created_at: '2020-01-01T00:00:00Z' }, [1, 2],
    ]
    for (const body of bodies) {
      const res = await api('POST', `/rooms/${room.id}/messages`, { token: a.token, body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.code).toBe('VALIDATION_FAILED')
    }
    const messages = await api<Message[]>('GET', `/rooms/${room.id}/messages`, { token: a.token })
    expect(messages.body).toEqual([])
  })
})

describe('editing and deleting', () => {
  it('lets the sender edit (is_edited, same seq) and turns deleted messages into tombstones', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createGroup(a, { member_ids: [b.user.id] })
    const m = await send(b, room.id, 'first draft')
    const edited = await api<Message>('PUT', `/rooms/${room.id}/messages/${m.id}`, { token: b.token, body: { content: 'final 최종' } })
    expect(edited.status).toBe(200)
    expect(edited.body).toMatchObject({ id: m.id, seq: m.seq, content: 'final 최종', is_edited: true, created_at: m.created_at })
    expect((await api('PUT', `/rooms/${room.id}/messages/${m.id}`, { token: b.token, body: { content: '' } })).status).toBe(400)
    expect((await api('PUT', `/rooms/${room.id}/messages/${m.id}`, { token: b.token, body: { content: 'x', is_deleted: true } })).status).toBe(400)

    const del = await api('DELETE', `/rooms/${room.id}/messages/${m.id}`, { token: b.token })
    expect(del.status).toBe(204)
    const [tomb] = (await api<Message[]>('GET', `/rooms/${room.id}/messages`, { token: a.token })).body
    expect(tomb).toMatchObject({ id: m.id, seq: m.seq, content: '', is_deleted: true })
    expect((await api('DELETE', `/rooms/${room.id}/messages/${m.id}`, { token: b.token })).status).toBe(204)
    expect((await api('PUT', `/rooms/${room.id}/messages/${m.id}`, { token: b.token, body: { content: 'back' } })).status).toBe(404)
    const list = await api<Room[]>('GET', '/rooms', { token: a.token })
    expect(list.body.find(r => r.id === room.id)!.last_message).toMatchObject({ id: m.id, is_deleted: true, content: '' })
    // A message of another room is not found through this one.
    const other = await createGroup(a)
    const elsewhere = await send(a, other.id, 'elsewhere')
    expect((await api('DELETE', `/rooms/${room.id}/messages/${elsewhere.id}`, { token: a.token })).status).toBe(404)
    expect((await api('PUT', `/rooms/${room.id}/messages/${elsewhere.id}`, { token: a.token, body: { content: 'x' } })).status).toBe(404)
  })
})

describe('read markers and unread counts', () => {
  it('counts others\' undeleted messages after the marker, and never moves the marker backwards', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createGroup(a, { member_ids: [b.user.id] })
    const unread = async (u: typeof a) => (await api<Room>('GET', `/rooms/${room.id}`, { token: u.token })).body.unread_count
    const mine = await send(b, room.id, 'my own')
    const sent: Message[] = []
    for (let i = 0; i < 5; i++) sent.push(await send(a, room.id, `from a ${i}`))
    expect(await unread(b)).toBe(5)
    expect(await unread(a)).toBe(1)

    expect((await api('POST', `/rooms/${room.id}/read`, { token: b.token, body: { message_id: sent[2]!.id } })).status).toBe(204)
    expect(await unread(b)).toBe(2)
    const seqBefore = (await api<Room>('GET', `/rooms/${room.id}`, { token: b.token })).body.last_seq
    const backwards = await api('POST', `/rooms/${room.id}/read`, { token: b.token, body: { message_id: sent[0]!.id } })
    expect(backwards.status).toBe(204)
    const same = await api('POST', `/rooms/${room.id}/read`, { token: b.token, body: { message_id: sent[2]!.id } })
    expect(same.status).toBe(204)
    expect(await unread(b)).toBe(2)
    // A no-op takes no seq.
    expect((await api<Room>('GET', `/rooms/${room.id}`, { token: b.token })).body.last_seq).toBe(seqBefore)

    await api('DELETE', `/rooms/${room.id}/messages/${sent[4]!.id}`, { token: a.token })
    expect(await unread(b)).toBe(1)
    const events = await api('GET', `/rooms/${room.id}/events?after_seq=${seqBefore - 1}`, { token: a.token })
    expect(events.body[0]).toMatchObject({ type: 'read_updated', payload: { room_id: room.id, user_id: b.user.id, message_id: sent[2]!.id, seq: seqBefore, event_seq: seqBefore } })

    expect((await api('POST', `/rooms/${room.id}/read`, { token: b.token, body: { message_id: mine.id + 999999 } })).status).toBe(404)
    expect((await api('POST', `/rooms/${room.id}/read`, { token: b.token, body: { message_id: '12' } })).status).toBe(400)
    expect((await api('POST', `/rooms/${room.id}/read`, { token: b.token, body: {} })).status).toBe(400)
  })
})
