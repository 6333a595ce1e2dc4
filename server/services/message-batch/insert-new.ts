/** The second round trip of the checked path: insert messages whose seqs are already decided. */
import type { Message } from '../../../shared/protocol/objects'
import type { UserRow } from '../presenters'
import { toMessage } from '../room-presenters'
import type { SendRequest } from './types'
import type { WriterConnection } from './writer-connection'

export interface NewMessage {
  request: SendRequest
  seq: number
  sender: UserRow
}

/**
 * Inserts the messages and their room_events rows, moves each room's last seq / last message,
 * reads the new ids and commits; commits alone when there is nothing new.
 * @param lastSeq each touched room's seq after this batch
 */
export async function insertNewMessages(conn: WriterConnection, fresh: NewMessage[], lastSeq: Map<number, number>): Promise<Message[]> {
  if (!fresh.length) {
    await conn.query('COMMIT', [])
    return []
  }
  const now = new Date()
  const keys = fresh.map(f => [f.request.roomId, f.seq])
  const touched = [...new Set(fresh.map(f => f.request.roomId))]
  const lastSeqCase = touched.map(() => 'WHEN ? THEN ?').join(' ')
  const written = await conn.query(
    'INSERT INTO messages (room_id, seq, sender_id, content, message_type, client_msg_id, created_at) VALUES ?;'
    + ' INSERT INTO room_events (room_id, seq, type, message_id, created_at) SELECT room_id, seq, \'new_message\', id, created_at FROM messages WHERE (room_id, seq) IN (?);'
    // Each room's new last seq is the seq of its newest message in this batch: join that message.
    + ` UPDATE rooms r JOIN messages m ON m.room_id = r.id AND m.seq = CASE r.id ${lastSeqCase} END SET r.last_seq = m.seq, r.last_message_id = m.id, r.last_activity_at = ? WHERE r.id IN (?);`
    + ' SELECT id, room_id, seq FROM messages WHERE (room_id, seq) IN (?);'
    + ' COMMIT',
    [
      fresh.map(f => [f.request.roomId, f.seq, f.request.userId, f.request.content, 'text', f.request.clientMsgId, now]),
      keys,
      ...touched.flatMap(id => [id, lastSeq.get(id)]),
      now,
      touched,
      keys,
    ],
  )
  const idOf = new Map<string, number>(written[3]!.map(r => [`${r.room_id}:${r.seq}`, Number(r.id)]))
  return fresh.map(f => toMessage({
    id: idOf.get(`${f.request.roomId}:${f.seq}`)!, roomId: f.request.roomId, seq: f.seq, content: f.request.content,
    messageType: 'text', clientMsgId: f.request.clientMsgId, isEdited: false, isDeleted: false, createdAt: now,
  }, f.sender))
}
