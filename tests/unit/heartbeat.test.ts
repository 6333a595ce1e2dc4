import { describe, expect, it } from 'vitest'
import { beatSlice, HEARTBEAT_SLICES } from '../../server/realtime/heartbeat'

/** A stand-in for an open socket that counts what the heartbeat did to it. */
function socketOf(userId: number) {
  const conn = {
    userId,
    alive: true,
    closed: false,
    pings: 0,
    terminated: false,
    socket: {
      ping: () => { conn.pings++ },
      terminate: () => { conn.terminated = true },
    },
  }
  return conn
}

type Fake = ReturnType<typeof socketOf>
const asSockets = (list: Fake[]) => list as unknown as Parameters<typeof beatSlice>[0]

describe('heartbeat (server pings spread over the interval)', () => {
  it('pings every socket once per round, never all of them in one tick', () => {
    const sockets = Array.from({ length: 1000 }, (_, i) => socketOf(i + 1))
    let busiestTick = 0
    for (let slice = 0; slice < HEARTBEAT_SLICES; slice++) {
      const before = sockets.reduce((n, s) => n + s.pings, 0)
      beatSlice(asSockets(sockets), slice)
      busiestTick = Math.max(busiestTick, sockets.reduce((n, s) => n + s.pings, 0) - before)
    }
    expect(sockets.every(s => s.pings === 1)).toBe(true)
    expect(busiestTick).toBeLessThanOrEqual(Math.ceil(1000 / HEARTBEAT_SLICES))
  })

  it('terminates a socket that did not answer by its next ping, and only then', () => {
    const quiet = socketOf(7)
    const answering = socketOf(37)
    const sockets = asSockets([quiet, answering])
    const round = () => {
      for (let slice = 0; slice < HEARTBEAT_SLICES; slice++) beatSlice(sockets, slice)
    }
    round()
    expect(quiet.pings).toBe(1)
    expect(quiet.terminated).toBe(false)
    answering.alive = true // its pong arrived
    round()
    expect(quiet.terminated).toBe(true)
    expect(quiet.closed).toBe(true)
    expect(quiet.pings).toBe(1)
    expect(answering.terminated).toBe(false)
    expect(answering.pings).toBe(2)
  })
})
