import { describe, expect, it } from 'vitest'
import { api, createRoom, registerUser } from '../helpers/api'
import { connect, useSocketCleanup } from '../helpers/ws'

useSocketCleanup()
// The shared test server runs with PRESENCE_GRACE_MS=1500.
const GRACE_MS = 1500

describe('typing', () => {
  it('reaches the other viewers only, at most about once a second, and expires after ~6 s of silence', async () => {
    const [a, b, c] = await Promise.all([registerUser(), registerUser(), registerUser()])
    const room = await createRoom(a, [b.user.id, c.user.id])
    const sa = await connect({ token: a.token })
    const sb = await connect({ token: b.token })
    const sc = await connect({ token: c.token }) // a member, but not viewing
    await sa.request('join_room', { room_id: room.id })
    await sb.request('join_room', { room_id: room.id })
    for (let i = 0; i < 8; i++) {
      sa.send('typing', { room_id: room.id, is_typing: true })
      await new Promise(r => setTimeout(r, 100))
    }
    const first = await sb.next('user_typing')
    expect(first.payload).toEqual({ room_id: room.id, user_id: a.user.id, username: a.user.username, is_typing: true })
    await new Promise(r => setTimeout(r, 400))
    // 8 frames over ~800 ms: at most 2 forwarded (one per second).
    expect(sb.all('user_typing').length).toBeLessThanOrEqual(2)
    await sa.none('user_typing', 0)
    await sc.none('user_typing', 0)
    const started = Date.now()
    const stop = await sb.next(f => f.type === 'user_typing' && f.payload.is_typing === false, 9000)
    expect(stop.payload.user_id).toBe(a.user.id)
    expect(Date.now() - started).toBeGreaterThan(4000)
  }, 20_000)

  it('says the typist stopped when they send, stop explicitly, or disconnect', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()])
    const room = await createRoom(a, [b.user.id])
    const sa = await connect({ token: a.token })
    const sb = await connect({ token: b.token })
    await sb.request('join_room', { room_id: room.id })
    sa.send('typing', { room_id: room.id, is_typing: true })
    expect((await sb.next('user_typing')).payload.is_typing).toBe(true)
    sa.send('typing', { room_id: room.id, is_typing: false })
    expect((await sb.next('user_typing')).payload.is_typing).toBe(false)
    sa.send('typing', { room_id: room.id, is_typing: true })
    expect((await sb.next('user_typing')).payload.is_typing).toBe(true)
    await sa.request('send_message', { room_id: room.id, content: 'done typing', client_msg_id: 't1' })
    expect((await sb.next('user_typing')).payload.is_typing).toBe(false)
    const sa2 = await connect({ token: a.token })
    sa2.send('typing', { room_id: room.id, is_typing: true })
    expect((await sb.next('user_typing')).payload.is_typing).toBe(true)
    await sa2.close()
    expect((await sb.next('user_typing')).payload.is_typing).toBe(false)
  })
})

describe('presence', () => {
  it('goes online on the first socket and offline after the last closes and the grace period, to room peers only', async () => {
    const [a, b, stranger] = await Promise.all([registerUser(), registerUser(), registerUser()])
    await createRoom(a, [b.user.id])
    const sa = await connect({ token: a.token })
    const ss = await connect({ token: stranger.token })
    const sb = await connect({ token: b.token })
    const online = await sa.next(f => f.type === 'presence_update' && f.payload.user_id === b.user.id)
    expect(online.payload).toMatchObject({ status: 'online', last_seen_at: expect.any(String) })
    const profile = await api('GET', `/users/${b.user.id}`, { token: a.token })
    expect(profile.body.status).toBe('online')

    // A reload: close and reopen within the grace period; nobody sees offline.
    await sb.close()
    const sb2 = await connect({ token: b.token })
    await sa.none('presence_update', GRACE_MS + 500)

    const closedAt = Date.now()
    await sb2.close()
    const offline = await sa.next(f => f.type === 'presence_update' && f.payload.user_id === b.user.id, 6000)
    expect(offline.payload.status).toBe('offline')
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 100)
    expect(new Date(offline.payload.last_seen_at).getTime()).toBeGreaterThan(closedAt - 1000)
    expect(ss.all('presence_update').filter(f => f.payload.user_id === b.user.id)).toEqual([])
    const members = await api('GET', `/rooms`, { token: a.token })
    expect(members.status).toBe(200)
    expect((await api('GET', `/users/${b.user.id}`, { token: a.token })).body.status).toBe('offline')
  })

  it('reaches each peer socket once however many rooms they share, by membership as it is now', async () => {
    const [a, b, c, d] = await Promise.all([registerUser(), registerUser(), registerUser(), registerUser()])
    await createRoom(a, [b.user.id])
    const second = await createRoom(a, [b.user.id, d.user.id])
    const sa = await connect({ token: a.token })
    const sc = await connect({ token: c.token })
    const sd = await connect({ token: d.token })
    const sb = await connect({ token: b.token })
    await sa.next(f => f.type === 'presence_update' && f.payload.user_id === b.user.id)
    await sd.next(f => f.type === 'presence_update' && f.payload.user_id === b.user.id)
    await new Promise(r => setTimeout(r, 300))
    // a shares two rooms with b and still hears b come online once.
    expect(sa.all('presence_update').filter(f => f.payload.user_id === b.user.id)).toHaveLength(1)
    expect(sc.all('presence_update').filter(f => f.payload.user_id === b.user.id)).toEqual([])

    // c joins after connecting, d is removed: the offline goes by who is a member now.
    expect((await api('POST', `/rooms/${second.id}/members`, { token: a.token, body: { user_id: c.user.id } })).status).toBe(201)
    expect((await api('DELETE', `/rooms/${second.id}/members/${d.user.id}`, { token: a.token })).status).toBe(204)
    await sc.next('room_invited')
    await sb.close()
    const offline = await sc.next(f => f.type === 'presence_update' && f.payload.user_id === b.user.id, 6000)
    expect(offline.payload.status).toBe('offline')
    await new Promise(r => setTimeout(r, 300))
    expect(sa.all('presence_update').filter(f => f.payload.user_id === b.user.id).map(f => f.payload.status)).toEqual(['online', 'offline'])
    expect(sd.all('presence_update').filter(f => f.payload.user_id === b.user.id).map(f => f.payload.status)).toEqual(['online'])
  })
})
