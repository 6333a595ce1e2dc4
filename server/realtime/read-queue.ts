/**
 * A socket's mark_read frames, one write at a time per room. A read marker only moves forward and
 * only the newest one matters, so while one is being written a newer frame waits and replaces any
 * older waiting one. A client that marks as it scrolls, or a socket flooding mark_read, then costs
 * at most one transaction in flight per room instead of one per frame, and cannot queue up the room
 * lock that everyone's messages need.
 */
import type { Connection } from './connection'

export interface ReadRequest<R> {
  messageId: number
  requestId: R
}

/** `write` moves the marker and answers any error itself; it never throws. */
export async function queueRead<R>(conn: Connection, roomId: number, request: ReadRequest<R>, write: (request: ReadRequest<R>) => Promise<void>): Promise<void> {
  const waiting = conn.readsWaiting ??= new Map()
  if (waiting.has(roomId)) {
    // A write for this room is under way: this frame replaces whatever was waiting behind it.
    waiting.set(roomId, request)
    return
  }
  waiting.set(roomId, null)
  try {
    for (let next: ReadRequest<R> | null = request; next && !conn.closed; next = waiting.get(roomId) as ReadRequest<R> | null) {
      waiting.set(roomId, null)
      await write(next)
    }
  }
  finally {
    waiting.delete(roomId)
  }
}
