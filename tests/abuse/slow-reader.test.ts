/**
 * Sockets that stop reading (the client paused its TCP socket) while their room is busy are
 * dropped once their unsent data passes WS_MAX_BUFFERED_BYTES, instead of the server holding an
 * ever-growing backlog for them; a reader that keeps up gets every message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRoom, registerUser, type TestUser } from '../helpers/api'
import { connect, useSocketCleanup, type TestSocket } from '../helpers/ws'
import { expectHealthy, report, rssBytes, startAbuseServer, type AbuseServer } from './harness'

useSocketCleanup()

const CAP = 256 * 1024
const MESSAGES = Number(process.env.ABUSE_SLOW_MESSAGES) || 1500
const STALLED = 10
const CONTENT = 'z'.repeat(3900)

describe('a socket that stops reading', () => {
  let server: AbuseServer
  let sender: TestUser
  let stalledUser: TestUser
  let reader: TestUser
  let roomId: number

  beforeAll(async () => {
    server = await startAbuseServer({ WS_MAX_BUFFERED_BYTES: String(process.env.ABUSE_SLOW_CAP ?? CAP) })
    const users = await Promise.all([1, 2, 3].map(() => registerUser({ base: server.url })))
    ;[sender, stalledUser, reader] = users as [TestUser, TestUser, TestUser]
    roomId = (await createRoom(sender, [stalledUser.user.id, reader.user.id], 'busy', server.url)).id
  })
  afterAll(async () => {
    await server?.finish()
  })

  it('is dropped when its backlog passes the cap; memory stays flat and the others get everything', async () => {
    const base = server.url
    const stalled: TestSocket[] = []
    for (let i = 0; i < STALLED; i++) stalled.push(await connect({ token: stalledUser.token, base, origin: null }))
    const readerSocket = await connect({ token: reader.token, base, origin: null })
    const senderSocket = await connect({ token: sender.token, base, origin: null })
    for (const s of stalled) (s.ws as unknown as { _socket: { pause: () => void } })._socket.pause()

    const pid = server.proc.pid!
    const rssBefore = rssBytes(pid)
    let rssPeak = rssBefore
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssBytes(pid)) }, 50)
    const started = performance.now()
    try {
      for (let sent = 0; sent < MESSAGES; sent += 100) {
        const batch = Array.from({ length: Math.min(100, MESSAGES - sent) }, (_, i) => senderSocket.request('send_message', { room_id: roomId, content: `${sent + i} ${CONTENT}`, client_msg_id: `s${sent + i}` }, 30_000))
        for (const ack of await Promise.all(batch)) expect(ack.type).toBe('message_ack')
      }
      // Everything sent reached the reader that keeps up.
      while (readerSocket.all('new_message').length < MESSAGES && performance.now() - started < 60_000) await new Promise(r => setTimeout(r, 50))
    }
    finally {
      // Also when the sends fail: a sampler left running outlives the server and throws.
      clearInterval(sampler)
    }
    const seconds = (performance.now() - started) / 1000
    expect(readerSocket.all('new_message')).toHaveLength(MESSAGES)

    // The stalled sockets were dropped (terminated: no close frame, so 1006 once they read again).
    const drops = server.output().split('\n').filter(l => l.includes('socket dropped: not reading')).map(l => JSON.parse(l) as { buffered_bytes: number })
    const dropped = drops.length
    for (const s of stalled) (s.ws as unknown as { _socket: { resume: () => void } })._socket.resume()
    const codes = await Promise.all(stalled.map(s => Promise.race([s.closed, new Promise(r => setTimeout(() => r('still open'), 10_000))])))
    const received = stalled.map(s => s.all('new_message').length)
    const bytesPerRecipient = MESSAGES * (CONTENT.length + 300)
    report('slow-reader', {
      cap_bytes: Number(process.env.ABUSE_SLOW_CAP ?? CAP), messages: MESSAGES, stalled_sockets: STALLED, bytes_per_recipient: bytesPerRecipient, seconds: Math.round(seconds * 10) / 10,
      dropped_logged: dropped, buffered_at_drop: drops.map(d => d.buffered_bytes), stalled_close_codes: codes, stalled_received: received,
      rss_before_mb: Math.round(rssBefore / 1e6), rss_peak_mb: Math.round(rssPeak / 1e6), rss_growth_mb: Math.round((rssPeak - rssBefore) / 1e6),
    })
    expect(dropped).toBe(STALLED)
    // Each was dropped as soon as its backlog in the server passed the cap (one frame over at most).
    for (const d of drops) expect(d.buffered_bytes).toBeLessThan(CAP + 8 * 1024)
    expect(codes).toEqual(Array(STALLED).fill(1006))
    for (const n of received) expect(n).toBeLessThan(MESSAGES)
    // A loose bound: on loopback the kernel's buffers take the first ~4 MB per socket either way,
    // so RSS alone cannot tell a capped server from one that buffers on; the log above does.
    expect(rssPeak - rssBefore).toBeLessThan(64 * 1024 * 1024)
    // The reader and the sender were never touched.
    expect(readerSocket.closeCode).toBeNull()
    expect((await senderSocket.request('ping', {})).type).toBe('pong')
  }, 120_000)

  it('stays healthy: /healthz answers, no uncaught error, no 500', async () => {
    await expectHealthy(server)
  })
})
