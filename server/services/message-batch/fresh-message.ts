/**
 * A message just stored by one of the optimistic write paths (lone-send.ts, one-trip.ts), built
 * from what the sender sent and the row the database answered with: its id, its seq and the
 * sender's public columns.
 */
import type { RowDataPacket } from 'mysql2'
import type { Message } from '../../../shared/protocol/objects'
import { toMessage } from '../room-presenters'
import type { SendRequest } from './types'

/** A Date as a DATETIME(3) literal in UTC (the pool's time zone), formatted once per batch. */
export function sqlStamp(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ')
}

/**
 * @param row `id`, `seq`, and the sender's `username`, `avatar_url`, `last_seen_at`,
 *   `user_created_at` (all null when the account is gone: the message is stored all the same)
 */
export function freshMessage(send: SendRequest, row: RowDataPacket, createdAt: Date): Message {
  const sender = row.username == null
    ? null
    : { id: send.userId, username: row.username, avatarUrl: row.avatar_url, lastSeenAt: row.last_seen_at, createdAt: row.user_created_at }
  return toMessage({
    id: Number(row.id), roomId: send.roomId, seq: Number(row.seq), content: send.content, messageType: 'text',
    clientMsgId: send.clientMsgId, isEdited: false, isDeleted: false, createdAt,
  }, sender)
}
