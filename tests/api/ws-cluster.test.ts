import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, createRoom, registerUser } from '../helpers/api'
import { connect, useSocketCleanup } from '../helpers/ws'
import { dropDatabase, startServer, testEnv, uniqueDbName, type RunningServer } from '../helpers/server'

useSocketCleanup()

// Two instances on different ports sharing one database and one Redis, as behind a load balancer.
describe('two instances sharing Redis', () => {
  const db = uniqueDbName('mm_cluster')
  const prefix = `${db}:`
  let A: RunningServer
  let B: RunningServer
  beforeAll(async () => {
    A = await startServer(testEnv(db, { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: prefix, INSTANCE_ID: 'A' }))
    B = await startServer(testEnv(db, { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: prefix, INSTANCE_ID: 'B' }))
  })
  afterAll(async () => {
    await Promise.all([A?.stop(), B?.stop()])
    await dropDatabase(db)
  })

  it('carries messages, typing, presence and invitations between them', async () => {
    const a = await registerUser({ base: A.url })
    const b = await registerUser({ base: B.url })
    const room = await createRoom(a, [b.user.id], undefined, A.url)
    const sa = await connect({ token: a.token, base: A.url })
    const sb = await connect({ token: b.token, base: B.url })

    // presence: b came online on B; a (on A) hears it.
    expect((await sa.next(f => f.type === 'presence_update' && f.payload.user_id === b.user.id)).payload.status).toBe('online')
    expect((await api('GET', `/users/${b.user.id}`, { token: a.token, base: A.url })).body.status).toBe('online')

    await sa.request('join_room', { room_id: room.id })
    await sb.request('join_room', { room_id: room.id })
    expect((await sa.next('user_joined')).payload.user.id).toBe(b.user.id)

    const ack = await sa.request('send_message', { room_id: room.id, content: 'A에서 B로', client_msg_id: 'x1' })
    expect(ack.type).toBe('message_ack')
    expect((await sb.next('new_message')).payload).toMatchObject({ id: ack.payload.message.id, content: 'A에서 B로' })
    const back = await sb.request('send_message', { room_id: room.id, content: 'B to A', client_msg_id: 'x2' })
    expect((await sa.next(f => f.type === 'new_message' && f.payload.id === back.payload.message.id)).payload.content).toBe('B to A')

    sb.send('typing', { room_id: room.id, is_typing: true })
    expect((await sa.next('user_typing')).payload).toMatchObject({ user_id: b.user.id, is_typing: true })

    // invitation: created through A's REST, the invitee is connected to B.
    const c = await registerUser({ base: A.url })
    const sc = await connect({ token: c.token, base: B.url })
    await api('POST', `/rooms/${room.id}/members`, { token: a.token, base: A.url, body: { user_id: c.user.id } })
    expect((await sc.next('room_invited')).payload.room.id).toBe(room.id)
    await sa.request('send_message', { room_id: room.id, content: 'hello c', client_msg_id: 'x3' })
    expect((await sc.next('new_message')).payload.content).toBe('hello c')

    // b leaves B entirely: a on A sees offline after the grace period.
    await sb.close()
    expect((await sa.next(f => f.type === 'presence_update' && f.payload.user_id === b.user.id, 8000)).payload.status).toBe('offline')
  })

  it('a SIGTERM closes sockets with 1001 and clients catch up on the other instance', async () => {
    const db2 = uniqueDbName('mm_drain')
    const env = (id: string) => testEnv(db2, { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `${db2}:`, INSTANCE_ID: id })
    const X = await startServer(env('X'))
    const Y = await startServer(env('Y'))
    try {
      const a = await registerUser({ base: Y.url })
      const b = await registerUser({ base: Y.url })
      const room = await createRoom(a, [b.user.id], undefined, Y.url)
      const sbX = await connect({ token: b.token, base: X.url })
      const sa = await connect({ token: a.token, base: Y.url })
      await sa.request('send_message', { room_id: room.id, content: 'before drain', client_msg_id: 'd1' })
      const seen = await sbX.next('new_message')
      const stopping = X.stop('SIGTERM')
      expect(await sbX.closed).toBe(1001)
      expect(await stopping).toBe(0)
      await sa.request('send_message', { room_id: room.id, content: 'while moving', client_msg_id: 'd2' })
      const sbY = await connect({ token: b.token, base: Y.url })
      const missed = await api('GET', `/rooms/${room.id}/events?after_seq=${seen.payload.seq}`, { token: b.token, base: Y.url })
      expect(missed.body.map((e: any) => e.payload.content)).toEqual(['while moving'])
      await sa.request('send_message', { room_id: room.id, content: 'after move', client_msg_id: 'd3' })
      expect((await sbY.next('new_message')).payload.content).toBe('after move')
    }
    finally {
      await Promise.all([X.stop(), Y.stop()])
      await dropDatabase(db2)
    }
  })
})
