/**
 * Stores a batch of sends in one round trip, for the common case: every sender is a member and no
 * client_msg_id is stored already. Any other case makes a statement fail (a duplicate key on
 * (room, sender, client_msg_id), or the membership assertion below); the transaction is then rolled
 * back and the writer stores the batch again through the checked path, which answers repeats with
 * the stored message and non-members with 404.
 *
 * Statements, in order: lock the rooms and keep each one's last seq in a session variable; assert
 * that every sender is a member; insert the messages with seqs counted up from those variables,
 * then their room_events rows; move each room's last seq, last message and activity; read back the
 * new rows with their senders; commit. Every range is "room = ? AND seq > @var": an index range,
 * whatever the room's history length.
 */
import type { Message } from '../../../shared/protocol/objects'
import type { Outcome, SendRequest } from './types'
import { freshMessage, stampNow } from './fresh-message'
import { inOneTrip } from './writer-connection'

/** The error MySQL and MariaDB raise when a scalar subquery yields two rows: our membership assertion. */
const ASSERTION_FAILED = 'ER_SUBQUERY_NO_1_ROW'

/** True for the failures that mean "store this batch through the checked path instead". */
export function isOneTripMiss(err: unknown): boolean {
  return (err as { code?: string })?.code === ASSERTION_FAILED
}

/** Session variables (per pooled connection) holding each room's last seq during the batch. */
const lastSeqVar = (i: number) => `@mm_last_seq_${i}`

function buildStatements(rooms: number[], sendsByRoom: Map<number, SendRequest[]>, batch: SendRequest[], stamp: string): { sql: string, values: unknown[] } {
  const values: unknown[] = []
  // One locking read for all the rooms (a range on the primary key, so rows are locked in id order
  // and concurrent batches cannot deadlock); it always yields one row, so every variable is set,
  // to NULL for a room that is gone.
  const parts: string[] = ['START TRANSACTION', `SELECT ${rooms.map(() => 'MAX(IF(id = ?, last_seq, NULL))').join(', ')} INTO ${rooms.map((_, i) => lastSeqVar(i)).join(', ')} FROM rooms WHERE id IN (?) FOR UPDATE`]
  values.push(...rooms, rooms)

  // An assertion: if some (room, sender) pair has no membership row (or the room is gone), the
  // scalar subquery yields two rows and the statement fails, before anything is written.
  const pairs = [...new Map(batch.map(b => [`${b.roomId}:${b.userId}`, [b.roomId, b.userId] as const])).values()]
  parts.push('SET @mm_members_ok = (SELECT 1 FROM (SELECT 1 AS x UNION ALL SELECT 2) two WHERE'
    + ` (SELECT COUNT(*) FROM room_members WHERE ${pairs.map(() => '(room_id = ? AND user_id = ?)').join(' OR ')}) <> ?)`)
  for (const [roomId, userId] of pairs) values.push(roomId, userId)
  values.push(pairs.length)

  const rows: string[] = []
  rooms.forEach((roomId, i) => sendsByRoom.get(roomId)!.forEach((send, k) => {
    rows.push(`(?, ${lastSeqVar(i)} + ${k + 1}, ?, ?, 'text', ?, ?)`)
    values.push(roomId, send.userId, send.content, send.clientMsgId, stamp)
  }))
  parts.push(`INSERT INTO messages (room_id, seq, sender_id, content, message_type, client_msg_id, created_at) VALUES ${rows.join(', ')}`)

  const fresh = (alias: string) => rooms.map((_, i) => `(${alias}room_id = ? AND ${alias}seq > ${lastSeqVar(i)})`).join(' OR ')
  parts.push(`INSERT INTO room_events (room_id, seq, type, message_id, created_at) SELECT room_id, seq, 'new_message', id, created_at FROM messages WHERE ${fresh('')}`)
  values.push(...rooms)

  // Each room's new last seq: its variable plus the number of its sends (ids are numbers, inlined).
  const newLastSeq = `CASE rooms.id ${rooms.map((roomId, i) => `WHEN ${Number(roomId)} THEN ${lastSeqVar(i)} + ${sendsByRoom.get(roomId)!.length}`).join(' ')} END`
  parts.push(`UPDATE rooms SET last_message_id = (SELECT m.id FROM messages m WHERE m.room_id = rooms.id AND m.seq = ${newLastSeq}),`
    + ` last_activity_at = ?, last_seq = ${newLastSeq} WHERE id IN (?)`)
  values.push(stamp, rooms)

  parts.push('SELECT m.id, m.room_id, m.seq, m.sender_id, u.username, u.avatar_url, u.last_seen_at, u.created_at AS user_created_at'
    + ` FROM messages m JOIN users u ON u.id = m.sender_id WHERE ${fresh('m.')} ORDER BY m.room_id, m.seq`)
  values.push(...rooms)
  parts.push('COMMIT')
  return { sql: parts.join('; '), values }
}

export async function storeBatchInOneTrip(batch: SendRequest[]): Promise<Outcome[]> {
  const sendsByRoom = new Map<number, SendRequest[]>()
  for (const send of batch) {
    let list = sendsByRoom.get(send.roomId)
    if (!list) sendsByRoom.set(send.roomId, (list = []))
    list.push(send)
  }
  const rooms = [...sendsByRoom.keys()].sort((a, b) => a - b)
  const stamp = stampNow()
  const { sql, values } = buildStatements(rooms, sendsByRoom, batch, stamp.sql)
  const results = await inOneTrip(sql, values)
  // The SELECT is the second-to-last statement; its rows come per room in seq order, which is the
  // order of that room's sends (the assertion guarantees every send got a row).
  const rows = results[results.length - 2]!
  const messageOf = new Map<SendRequest, Message>()
  let r = 0
  for (const roomId of rooms) {
    for (const send of sendsByRoom.get(roomId)!) {
      const row = rows[r++]
      if (!row || Number(row.room_id) !== roomId || Number(row.sender_id) !== send.userId) throw new Error('one-trip batch: rows do not match the sends')
      messageOf.set(send, freshMessage(send, row, stamp))
    }
  }
  return batch.map(send => ({ ok: { message: messageOf.get(send)!, created: true } }))
}
