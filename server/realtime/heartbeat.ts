/**
 * Server pings, spread over the interval. Pinging every socket in one turn wrote a frame per socket
 * and then read as many pongs in one burst: with 1,000 sockets that held deliveries back for 30-60 ms
 * once every interval (the bench's 16,000/s rung, bench/README.md), and the pause grows with the
 * number of sockets. Instead the sockets are split into HEARTBEAT_SLICES groups by user id, and each
 * tick pings one group. Every socket is still pinged once per interval, and one that has not answered
 * by its next ping (30 to 60 s by default) is terminated, as before.
 */
import type { Connection } from './connection'

/** How many groups the sockets are pinged in, one group per tick. */
export const HEARTBEAT_SLICES = 30

/** The part of a Connection the heartbeat reads and writes. */
type Beating = Pick<Connection, 'userId' | 'alive' | 'closed' | 'socket'>

/**
 * Pings or, if its last ping went unanswered, terminates each socket of one slice. A socket's slice
 * is its user's id modulo HEARTBEAT_SLICES: no field on every idle socket, and users spread evenly.
 */
export function beatSlice(sockets: Iterable<Beating>, slice: number): void {
  for (const conn of sockets) {
    if (conn.userId % HEARTBEAT_SLICES !== slice) continue
    if (!conn.alive) {
      conn.closed = true
      conn.socket.terminate()
      continue
    }
    conn.alive = false
    try {
      conn.socket.ping()
    }
    catch { /* closing already */ }
  }
}

/** Starts the heartbeat; `sockets` is read again at every tick. Stop it with clearInterval. */
export function startHeartbeat(intervalMs: number, sockets: () => Iterable<Beating>): NodeJS.Timeout {
  let slice = 0
  const timer = setInterval(() => {
    beatSlice(sockets(), slice)
    slice = (slice + 1) % HEARTBEAT_SLICES
  }, intervalMs / HEARTBEAT_SLICES)
  timer.unref()
  return timer
}
