import { describe, expect, it } from 'vitest'
import { api, createRoom, registerUser } from '../helpers/api'
import { connect, useSocketCleanup } from '../helpers/ws'

useSocketCleanup()

describe('messages over the socket', () => {
  it('send_message is stored, acked to the sender with its request_id, and reaches every socket of every member', async () => {
    const [a, b, c] = await Promise.all([registerUser(), registerUser(), registerUser()])
    const room = await createRoom(a, [b.user.id, c.user.id])
    const sa = await connect({ token: a.token })
    const sb1 = await connect({ token: b.token })
    const sb2 = await connect({ token: b.token }) // a second tab, not viewing the room
    const sc = await connect({ token: c.token })
    await sa.request('join_room', { room_id: room.id })
    const ack = await sa.request('send_message', { room_id: room.id, content: '안녕하세요 👋', client_msg_id: 'c-1' })
    expect(ack.type).toBe('message_ack')
    expect(ack.payload.client_msg_id).toBe('c-1')
    expect(ack.payload.message).toMatchObject({ room_id: room.id, content: '안녕하세요 👋', client_msg_id: 'c-1', sender: { id: a.user.id }, message_type: 'text', is_edited: false, is_deleted: false })
    for (const s of [sa, sb1, sb2, sc]) {
      const frame = await s.next('new_message')
      expect(frame.payload).toMatchObject({ id: ack.payload.message.id, seq: ack.payload.message.seq, content: '안녕하세요 👋' })
      expect(frame.timestamp).toMatch(/Z$/)
    }
    const history = await api('GET', `/rooms/${room.id}/messages`, { token: c.token })
    expect(history.body.map((m: any) => m.id)).toContain(ack.payload.message.id)
  })

  it('a resent client_msg_id acks the stored message again and broadcasts nothing new', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createRoom(a, [b.user.id])
    const sa = await connect({ token: a.token })
    const sb = await connect({ token: b.token })
    const first = await sa.request('send_message', { room_id: room.id, content: 'once', client_msg_id: 'dup-1' })
    await sb.next('new_message')
    const again = await sa.request('send_message', { room_id: room.id, content: 'once', client_msg_id: 'dup-1' })
    expect(again.type).toBe('message_ack')
    expect(again.payload.message.id).toBe(first.payload.message.id)
    expect(again.payload.message.seq).toBe(first.payload.message.seq)
    await sb.none('new_message')
    const rest = await api('POST', `/rooms/${room.id}/messages`, { token: a.token, body: { content: 'once', client_msg_id: 'dup-1' } })
    expect(rest.status).toBe(200)
    expect(rest.body.id).toBe(first.payload.message.id)
    await sb.none('new_message')
  })

  it('20 concurrent senders produce contiguous seqs, seen in the same order by every receiver', async () => {
    const owner = await registerUser()
    const senders = await Promise.all(Array.from({ length: 20 }, () => registerUser()))
    const room = await createRoom(owner, senders.map(s => s.user.id))
    const watchers = [await connect({ token: owner.token }), await connect({ token: owner.token })]
    const sockets = await Promise.all(senders.map(s => connect({ token: s.token })))
    const perSender = 10
    await Promise.all(sockets.map(async (s, i) => {
      for (let k = 0; k < perSender; k++) s.send('send_message', { room_id: room.id, content: `s${i}-m${k}`, client_msg_id: `s${i}-${k}` }, `s${i}-${k}`)
      for (let k = 0; k < perSender; k++) await s.next(f => f.request_id === `s${i}-${k}` && f.type === 'message_ack', 15_000)
    }))
    const total = senders.length * perSender
    const orders: number[][] = []
    for (const s of [...watchers, sockets[0]!, sockets[19]!]) {
      const seen: number[] = []
      while (seen.length < total) seen.push((await s.next('new_message', 15_000)).payload.seq)
      orders.push(seen)
    }
    const sorted = [...orders[0]!].sort((x, y) => x - y)
    const first = sorted[0]!
    expect(sorted).toEqual(Array.from({ length: total }, (_, i) => first + i))
    for (const order of orders) expect(order).toEqual(orders[0])
  })

  it('keeps the order of one sender\'s messages: seqs follow the order they were sent', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createRoom(a, [b.user.id])
    const sa = await connect({ token: a.token })
    const sb = await connect({ token: b.token })
    // Another room's traffic keeps batches in flight while these arrive.
    const other = await createRoom(b, [a.user.id])
    for (let i = 0; i < 40; i++) {
      sb.send('send_message', { room_id: other.id, content: `noise ${i}`, client_msg_id: `n${i}` })
      sa.send('send_message', { room_id: room.id, content: `#${i}`, client_msg_id: `o${i}` }, `o${i}`)
    }
    const acks = []
    for (let i = 0; i < 40; i++) acks.push(await sa.next(f => f.request_id === `o${i}`, 15_000))
    const seqs = acks.map(f => f.payload.message.seq)
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
    const history = await api('GET', `/rooms/${room.id}/messages?limit=100`, { token: b.token })
    expect(history.body.map((m: any) => m.content)).toEqual(Array.from({ length: 40 }, (_, i) => `#${i}`))
  })

  it('room changes reach members live: edits, deletions, read markers, room updates, membership', async () => {
    const [a, b, c] = await Promise.all([registerUser(), registerUser(), registerUser()])
    const room = await createRoom(a, [b.user.id])
    const sa = await connect({ token: a.token })
    const sb = await connect({ token: b.token })
    const sent = await sa.request('send_message', { room_id: room.id, content: 'first', client_msg_id: 'e1' })
    const msg = sent.payload.message
    await sb.next('new_message')

    await api('PUT', `/rooms/${room.id}/messages/${msg.id}`, { token: a.token, body: { content: 'first, edited' } })
    const updated = await sb.next('message_updated')
    expect(updated.payload).toMatchObject({ id: msg.id, content: 'first, edited', is_edited: true, seq: msg.seq })
    expect(updated.payload.event_seq).toBe(msg.seq + 1)

    sb.send('mark_read', { room_id: room.id, message_id: msg.id })
    const read = await sa.next('read_updated')
    expect(read.payload).toMatchObject({ room_id: room.id, user_id: b.user.id, message_id: msg.id, seq: msg.seq + 2 })

    await api('PUT', `/rooms/${room.id}`, { token: a.token, body: { name: 'renamed' } })
    const roomUpdated = await sb.next('room_updated')
    expect(roomUpdated.payload).toMatchObject({ id: room.id, name: 'renamed', seq: msg.seq + 3 })

    await api('DELETE', `/rooms/${room.id}/messages/${msg.id}`, { token: a.token })
    const deleted = await sb.next('message_deleted')
    expect(deleted.payload).toMatchObject({ room_id: room.id, id: msg.id, seq: msg.seq + 4 })

    const sc = await connect({ token: c.token })
    await api('POST', `/rooms/${room.id}/members`, { token: b.token, body: { user_id: c.user.id } })
    const added = await sa.next('member_added')
    expect(added.payload).toMatchObject({ room_id: room.id, seq: msg.seq + 5, user: { id: c.user.id }, role: 'member', member_count: 3 })
    const invited = await sc.next('room_invited')
    expect(invited.payload.room).toMatchObject({ id: room.id, name: 'renamed' })
    expect(invited.payload.inviter).toMatchObject({ id: b.user.id })

    await api('DELETE', `/rooms/${room.id}/members/${c.user.id}`, { token: a.token })
    const removed = await sb.next('member_removed')
    expect(removed.payload).toMatchObject({ room_id: room.id, seq: msg.seq + 6, user_id: c.user.id, member_count: 2 })
  })
})

describe('read markers over the socket', () => {
  it('a burst of mark_read frames ends at the newest one: markers only move forward, repeats announce nothing, a bad one is answered on its own', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createRoom(a, [b.user.id])
    const sa = await connect({ token: a.token })
    const sb = await connect({ token: b.token })
    const sent = []
    for (let i = 0; i < 30; i++) sent.push((await sa.request('send_message', { room_id: room.id, content: `m${i}`, client_msg_id: `r${i}` })).payload.message)
    const unread = async () => (await api('GET', `/rooms/${room.id}`, { token: b.token })).body.unread_count
    expect(await unread()).toBe(30)

    // All at once, as a client marking while it scrolls: the last one is where the marker ends.
    for (const m of sent) sb.send('mark_read', { room_id: room.id, message_id: m.id })
    const last = sent.at(-1)!
    await sa.next(f => f.type === 'read_updated' && f.payload.message_id === last.id)
    const reads = sa.frames.filter(f => f.type === 'read_updated').map(f => f.payload.message_id)
    expect(reads).toEqual([...reads].sort((x, y) => x - y))
    expect(new Set(reads).size).toBe(reads.length)
    expect(await unread()).toBe(0)

    // Marking an already-read message again moves nothing and announces nothing.
    const announced = sa.all('read_updated').length
    sb.send('mark_read', { room_id: room.id, message_id: sent[3]!.id })
    sb.send('mark_read', { room_id: room.id, message_id: last.id })
    await new Promise(r => setTimeout(r, 400))
    expect(sa.all('read_updated')).toHaveLength(announced)
    expect(await unread()).toBe(0)

    // A message that is not in the room gets its own error, with its request_id.
    const bad = await sb.request('mark_read', { room_id: room.id, message_id: last.id + 999_999 })
    expect(bad.type).toBe('error')
    expect(bad.payload.code).toBe('NOT_FOUND')
  })
})

describe('invitations and removals take effect on open sockets', () => {
  it('an invitee hears room_invited and then the room\'s messages without reconnecting; a removed member stops hearing them', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createRoom(a)
    const sa = await connect({ token: a.token })
    const sb = await connect({ token: b.token })
    await sa.request('send_message', { room_id: room.id, content: 'before', client_msg_id: 'i0' })
    await sb.none('new_message', 200)

    await api('POST', `/rooms/${room.id}/members`, { token: a.token, body: { user_id: b.user.id } })
    const invited = await sb.next('room_invited')
    expect(invited.payload.room.id).toBe(room.id)
    await sa.request('send_message', { room_id: room.id, content: 'welcome', client_msg_id: 'i1' })
    expect((await sb.next('new_message')).payload.content).toBe('welcome')
    expect((await sb.request('join_room', { room_id: room.id })).type).toBe('room_joined')
    expect((await sb.request('send_message', { room_id: room.id, content: 'thanks', client_msg_id: 'i2' })).type).toBe('message_ack')
    expect((await sb.next('new_message')).payload.content).toBe('thanks')

    await api('DELETE', `/rooms/${room.id}/members/${b.user.id}`, { token: a.token })
    expect((await sb.next('member_removed')).payload.user_id).toBe(b.user.id)
    await sa.request('send_message', { room_id: room.id, content: 'secret after removal', client_msg_id: 'i3' })
    await sb.none('new_message', 300)
    const refused = await sb.request('send_message', { room_id: room.id, content: 'let me back', client_msg_id: 'i4' })
    expect(refused.payload.code).toBe('NOT_FOUND')
  })
})

describe('viewing a room', () => {
  it('join_room and leave_room answer the asker and tell the other viewers', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createRoom(a, [b.user.id])
    const sa = await connect({ token: a.token })
    const sb = await connect({ token: b.token })
    const joined = await sa.request('join_room', { room_id: room.id })
    expect(joined).toMatchObject({ type: 'room_joined', payload: { room_id: room.id } })
    await sb.request('join_room', { room_id: room.id })
    const seen = await sa.next('user_joined')
    expect(seen.payload).toMatchObject({ room_id: room.id, user: { id: b.user.id, username: b.user.username }, member_count: 2 })
    const left = await sb.request('leave_room', { room_id: room.id })
    expect(left).toMatchObject({ type: 'room_left', payload: { room_id: room.id } })
    expect((await sa.next('user_left')).payload).toMatchObject({ room_id: room.id, user_id: b.user.id, username: b.user.username, member_count: 2 })
  })
})

describe('catching up', () => {
  it('a client that missed 200 messages, an edit and a delete ends with exactly the server\'s state via /events', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createRoom(a, [b.user.id])
    const sa = await connect({ token: a.token })
    const sb = await connect({ token: b.token })
    // b's local view: messages by id, plus the last seq it has seen.
    const view = new Map<number, any>()
    const first = await sa.request('send_message', { room_id: room.id, content: 'seen live', client_msg_id: 'live' })
    const live = await sb.next('new_message')
    view.set(live.payload.id, live.payload)
    let lastSeq: number = live.payload.seq
    await sb.close()

    for (let i = 0; i < 200; i++) sa.send('send_message', { room_id: room.id, content: `missed ${i}`, client_msg_id: `m${i}` }, `m${i}`)
    await sa.next(f => f.request_id === 'm199', 20_000)
    await api('PUT', `/rooms/${room.id}/messages/${first.payload.message.id}`, { token: a.token, body: { content: 'seen live, then edited' } })
    const victim = (await api('GET', `/rooms/${room.id}/messages?limit=5`, { token: a.token })).body[2]
    await api('DELETE', `/rooms/${room.id}/messages/${victim.id}`, { token: a.token })

    await connect({ token: b.token })
    for (;;) {
      const page = await api('GET', `/rooms/${room.id}/events?after_seq=${lastSeq}&limit=100`, { token: b.token })
      expect(page.status).toBe(200)
      if (!page.body.length) break
      for (const ev of page.body) {
        expect(ev.seq).toBe(lastSeq + 1)
        lastSeq = ev.seq
        if (ev.type === 'new_message' || ev.type === 'message_updated') view.set(ev.payload.id, ev.payload)
        if (ev.type === 'message_deleted') view.set(ev.payload.id, { ...view.get(ev.payload.id), is_deleted: true, content: '' })
      }
    }
    const server: any[] = []
    let before = ''
    for (;;) {
      const page = await api('GET', `/rooms/${room.id}/messages?limit=100${before}`, { token: b.token })
      if (!page.body.length) break
      server.unshift(...page.body)
      before = `&before=${page.body[0].id}`
    }
    const pick = (m: any) => ({ id: m.id, seq: m.seq, content: m.content, is_edited: m.is_edited, is_deleted: m.is_deleted })
    expect([...view.values()].sort((x, y) => x.seq - y.seq).map(pick)).toEqual(server.map(pick))
    expect(server).toHaveLength(201)
    expect(server.find(m => m.id === victim.id)).toMatchObject({ is_deleted: true, content: '' })
    expect(server[0]).toMatchObject({ content: 'seen live, then edited', is_edited: true })
  })
})
