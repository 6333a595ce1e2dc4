/**
 * Stores a batch of sends in one round trip, for the common case: every sender is a member and no
 * client_msg_id is stored already. The database gives the seqs (each room's last seq plus the
 * send's rank among that room's sends, counted over members only, so seqs stay gap-free), checks
 * membership in the same statement, and the unique key on (room, sender, client_msg_id) turns a
 * repeat into an error. On any error the transaction is rolled back and the writer falls back to
 * the checked path, which answers repeats with the stored message.
 *
 * Statements, in one round trip: lock the rooms (ascending ids, so batches cannot deadlock), insert
 * the messages, their room_events rows, read back the new rows with their senders, move each room's
 * last message / activity / seq, commit. "New rows" are the room's messages above its last_seq:
 * nothing else writes messages into a room without holding its lock.
 */
import { notFound } from '../../lib/errors/app-error'
import type { Message, PublicUser } from '../../../shared/protocol/objects'
import { toPublicUser } from '../presenters'
import type { Outcome, SendRequest } from './types'
import { inWriterTransaction } from './writer-connection'

const NEW_ROWS = 'FROM rooms r JOIN messages m ON m.room_id = r.id AND m.seq > r.last_seq'
const ABOVE_LAST = 'FROM messages m WHERE m.room_id = r.id AND m.seq > r.last_seq'

/** The statements for a batch of `count` sends; the values come from {@link oneTripValues}. */
function oneTripSql(count: number): string {
  const sends = 'SELECT ? AS ord, ? AS room_id, ? AS sender_id, ? AS content, ? AS client_msg_id' + ' UNION ALL SELECT ?, ?, ?, ?, ?'.repeat(count - 1)
  return 'START TRANSACTION;'
    // Locks the rooms like SELECT ... FOR UPDATE, but answers with an OK packet, not a result set.
    + ' UPDATE rooms SET last_seq = last_seq WHERE id IN (?) ORDER BY id;'
    + ' INSERT INTO messages (room_id, seq, sender_id, content, message_type, client_msg_id, created_at)'
    + ' SELECT v.room_id, r.last_seq + ROW_NUMBER() OVER (PARTITION BY v.room_id ORDER BY v.ord), v.sender_id, v.content, \'text\', v.client_msg_id, ?'
    + ` FROM (${sends}) v JOIN rooms r ON r.id = v.room_id JOIN room_members rm ON rm.room_id = v.room_id AND rm.user_id = v.sender_id;`
    + ` INSERT INTO room_events (room_id, seq, type, message_id, created_at) SELECT m.room_id, m.seq, 'new_message', m.id, m.created_at ${NEW_ROWS} WHERE r.id IN (?);`
    + ' SELECT m.id, m.room_id, m.seq, m.sender_id, u.username, u.avatar_url, u.last_seen_at, u.created_at AS user_created_at'
    + ` ${NEW_ROWS} JOIN users u ON u.id = m.sender_id WHERE r.id IN (?) ORDER BY m.room_id, m.seq;`
    // Single-table UPDATE assigns left to right (MySQL) or all at once (MariaDB's SIMULTANEOUS_ASSIGNMENT):
    // last_seq comes last, so either way the other columns still see the old last_seq.
    + ` UPDATE rooms r SET r.last_message_id = COALESCE((SELECT m.id ${ABOVE_LAST} ORDER BY m.seq DESC LIMIT 1), r.last_message_id),`
    + ` r.last_activity_at = IF(EXISTS (SELECT 1 ${ABOVE_LAST}), ?, r.last_activity_at),`
    + ` r.last_seq = COALESCE((SELECT MAX(m.seq) ${ABOVE_LAST}), r.last_seq) WHERE r.id IN (?);`
    + ' COMMIT'
}

const sqlBySize = new Map<number, string>()
function sqlFor(count: number): string {
  let sql = sqlBySize.get(count)
  if (!sql) {
    sql = oneTripSql(count)
    if (sqlBySize.size < 300) sqlBySize.set(count, sql)
  }
  return sql
}

export async function storeBatchInOneTrip(batch: SendRequest[]): Promise<Outcome[]> {
  const roomIds = [...new Set(batch.map(b => b.roomId))].sort((a, b) => a - b)
  const now = new Date()
  // DATETIME(3) in UTC (the pool's time zone), formatted once rather than per placeholder.
  const stamp = now.toISOString().slice(0, 23).replace('T', ' ')
  const sends: unknown[] = []
  batch.forEach((b, i) => sends.push(i, b.roomId, b.userId, b.content, b.clientMsgId))
  const results = await inWriterTransaction(conn => conn.query(sqlFor(batch.length), [roomIds, stamp, ...sends, roomIds, roomIds, stamp, roomIds]))
  const rows = results[4]!

  // Rows come per room in seq order, which is the order of that room's sends; a sender who is not
  // a member has no rows (the same for all their sends in that room, as the room was locked).
  const rowsByRoom = new Map<number, typeof rows>()
  for (const row of rows) {
    const roomId = Number(row.room_id)
    let list = rowsByRoom.get(roomId)
    if (!list) rowsByRoom.set(roomId, (list = []))
    list.push(row)
  }
  const taken = new Map<number, number>()
  const senders = new Map<number, PublicUser>()
  const createdAt = now.toISOString()
  return batch.map((b): Outcome => {
    const list = rowsByRoom.get(b.roomId)
    const next = taken.get(b.roomId) ?? 0
    const row = list?.[next]
    if (!row || Number(row.sender_id) !== b.userId) return { error: notFound('Room') }
    taken.set(b.roomId, next + 1)
    let sender = senders.get(b.userId)
    if (!sender) {
      sender = toPublicUser({ id: b.userId, username: row.username, avatarUrl: row.avatar_url, lastSeenAt: row.last_seen_at, createdAt: row.user_created_at })
      senders.set(b.userId, sender)
    }
    const message: Message = {
      id: Number(row.id), room_id: b.roomId, seq: Number(row.seq), sender,
      content: b.content, message_type: 'text', client_msg_id: b.clientMsgId,
      is_edited: false, is_deleted: false, created_at: createdAt,
    }
    return { ok: { message, created: true } }
  })
}
