/**
 * Stores a send that makes a batch on its own (the usual case unless messages arrive faster than
 * commits) with one CALL of the `mm_store_message` procedure (drizzle/migrations/0004). A
 * multi-statement batch is answered statement by statement, and every answer that arrives apart
 * wakes the process again: at tens of messages a second those wake-ups were a quarter of the
 * server's CPU. The procedure answers once, after its COMMIT.
 *
 * Like the one-trip path it is optimistic: a sender who is not a member (or a room that is gone)
 * raises SQLSTATE 45000, a repeated client_msg_id a duplicate key; the writer then rolls back and
 * stores the send through the checked path.
 */
import type { Outcome, SendRequest } from './types'
import { freshMessage, stampNow } from './fresh-message'
import { inOneTrip } from './writer-connection'

/** Raised by the procedure's membership check (MySQL and MariaDB name it the same). */
const SIGNALLED = 'ER_SIGNAL_EXCEPTION'

/** True when the procedure refused the send: not a member, or no such room. */
export function isLoneSendMiss(err: unknown): boolean {
  return (err as { code?: string })?.code === SIGNALLED
}

export async function storeLoneSend(send: SendRequest): Promise<Outcome[]> {
  const stamp = stampNow()
  const results = await inOneTrip('CALL mm_store_message(?, ?, ?, ?, ?)', [send.roomId, send.userId, send.content, send.clientMsgId, stamp.sql])
  // A CALL answers with its result set, then the procedure's own status. The LEFT JOIN in the
  // procedure always yields the row, even if the sender's account is gone by now.
  const row = results[0]?.[0]
  if (!row) throw new Error('mm_store_message: no row')
  const message = freshMessage(send, row, stamp)
  return [{ ok: { message, created: true } }]
}
