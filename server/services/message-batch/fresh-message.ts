/**
 * A message just stored by one of the optimistic write paths (lone-send.ts, one-trip.ts), built
 * from what the sender sent and the row the database answered with: its id, its seq and the
 * sender's public columns.
 */
import type { RowDataPacket } from 'mysql2'
import type { Message } from '../../../shared/protocol/objects'
import { toMessage } from '../room-presenters'
import type { SendRequest } from './types'

/** When a batch is stored: the messages' `created_at` and the same instant as a DATETIME(3) literal. */
export interface Stamp {
  iso: string
  /** In UTC, the pool's time zone. */
  sql: string
}

/** The current time, formatted once per batch for both the database and the wire. */
export function stampNow(): Stamp {
  const iso = new Date().toISOString()
  return { iso, sql: `${iso.slice(0, 10)} ${iso.slice(11, 23)}` }
}

/**
 * @param row `id`, `seq`, and the sender's `username`, `avatar_url`, `last_seen_at`,
 *   `user_created_at` (all null when the account is gone: the message is stored all the same)
 */
export function freshMessage(send: SendRequest, row: RowDataPacket, stamp: Stamp): Message {
  const sender = row.username == null
    ? null
    : { id: send.userId, username: row.username, avatarUrl: row.avatar_url, lastSeenAt: row.last_seen_at, createdAt: row.user_created_at }
  return toMessage({
    id: Number(row.id), roomId: send.roomId, seq: Number(row.seq), content: send.content, messageType: 'text',
    clientMsgId: send.clientMsgId, isEdited: false, isDeleted: false, createdAt: stamp.iso,
  }, sender)
}
