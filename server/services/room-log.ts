/**
 * The per-room event log: the one place that hands out a room's `seq`.
 *
 * Every room change calls `appendRoomEvent` inside the transaction that makes the change. The
 * `UPDATE rooms ... LAST_INSERT_ID(last_seq + 1)` both increments the counter and takes the room
 * row's write lock, so concurrent changes to one room queue behind each other and their seqs are
 * gap-free and in commit order (a rolled-back transaction gives its seq back with the rollback).
 * Because it takes that lock, call it BEFORE inserting rows that reference the room: an insert's
 * foreign-key check takes a shared lock on the room, and two transactions upgrading shared locks
 * would deadlock.
 */
import { and, asc, eq, gt, min, sql } from 'drizzle-orm'
import type { ResultSetHeader } from 'mysql2'
import { messages, roomEvents, users } from '../../drizzle/schema'
import type { Db } from '../lib/db/client'
import { useDb } from '../lib/db/client'
import { AppError, notFound } from '../lib/errors/app-error'
import { ERROR_CODES } from '../../shared/protocol/error-codes'
import type { Message, RoomEvent, RoomEventType } from '../../shared/protocol/objects'
import { toMessage } from './room-presenters'
import { publicUserColumns } from './users'

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

const MESSAGE_EVENTS = new Set<RoomEventType>(['new_message', 'message_updated', 'message_deleted'])

export interface AppendOptions {
  /** For message events: the message, or a function that inserts it once its seq is known. */
  messageId?: number | ((seq: number) => Promise<number>)
  /** For other events: the payload, built from the seq it gets (stored as JSON). */
  payload?: (seq: number) => Record<string, unknown>
}

export interface AppendedEvent {
  seq: number
  messageId: number | null
  /** The stored payload of a non-message event (with `event_seq`); null for message events. */
  payload: Record<string, unknown> | null
}

/**
 * Takes the room's next seq and records the change under it. Run inside the change's transaction.
 * @throws AppError 404 when the room does not exist (any more)
 */
export async function appendRoomEvent(tx: Tx, roomId: number, type: RoomEventType, options: AppendOptions = {}): Promise<AppendedEvent> {
  const [res] = await tx.execute(sql`UPDATE rooms SET last_seq = LAST_INSERT_ID(last_seq + 1) WHERE id = ${roomId}`) as unknown as [ResultSetHeader]
  if (res.affectedRows !== 1) throw notFound('Room')
  const seq = Number(res.insertId)
  let messageId: number | null = null
  let payload: Record<string, unknown> | null = null
  if (MESSAGE_EVENTS.has(type)) {
    if (options.messageId === undefined) throw new Error(`${type} needs a message id`)
    messageId = typeof options.messageId === 'function' ? await options.messageId(seq) : options.messageId
  }
  else {
    if (!options.payload) throw new Error(`${type} needs a payload`)
    payload = { ...options.payload(seq), event_seq: seq }
  }
  await tx.insert(roomEvents).values({ roomId, seq, type, messageId, payload: payload ? JSON.stringify(payload) : null })
  return { seq, messageId, payload }
}

/**
 * The frame payload of a message event, rendered from the message's current row so a deleted
 * message's content is never replayed. `seq` is the change's seq.
 */
export function messageEventPayload(type: RoomEventType, seq: number, message: Message): Record<string, unknown> {
  if (type === 'message_deleted') return { room_id: message.room_id, id: message.id, seq, event_seq: seq }
  return { ...message, event_seq: seq }
}

/**
 * The room's log after `afterSeq`, oldest first. The caller has checked membership.
 * @throws AppError 410 RESYNC_REQUIRED when the log no longer reaches back to `afterSeq + 1`
 */
export async function readRoomEvents(roomId: number, afterSeq: number, limit: number): Promise<RoomEvent[]> {
  const db = await useDb()
    const [rows, [oldest]] = await Promise.all([
    db.select({ event: roomEvents, message: messages, sender: publicUserColumns })
      .from(roomEvents)
      .leftJoin(messages, eq(messages.id, roomEvents.messageId))
      .leftJoin(users, eq(users.id, messages.senderId))
      .where(and(eq(roomEvents.roomId, roomId), gt(roomEvents.seq, afterSeq)))
      .orderBy(asc(roomEvents.seq))
      .limit(limit),
    // Nothing is pruned yet; this keeps the contract honest for when old events are.
    db.select({ seq: min(roomEvents.seq) }).from(roomEvents).where(eq(roomEvents.roomId, roomId)),
  ])
  if (oldest?.seq != null && Number(oldest.seq) > afterSeq + 1) {
    throw new AppError(410, ERROR_CODES.RESYNC_REQUIRED, 'The event log no longer reaches back that far: reload the room')
  }
  return rows.map(({ event, message, sender }) => {
    let payload: Record<string, unknown>
    if (MESSAGE_EVENTS.has(event.type)) {
      payload = message
        ? messageEventPayload(event.type, event.seq, toMessage(message, sender))
        : { room_id: roomId, id: event.messageId, seq: event.seq, event_seq: event.seq }
    }
    else {
      payload = event.payload ? JSON.parse(event.payload) : { event_seq: event.seq }
    }
    return { room_id: event.roomId, seq: event.seq, type: event.type, payload, created_at: event.createdAt.toISOString() }
  })
}
