/**
 * Messages: send (idempotent by client_msg_id), history, edit, delete (tombstone), read markers.
 * Shared by the REST routes and the WebSocket handler; emits only after commit.
 */
import { and, asc, desc, eq, gt, lt, type SQL } from 'drizzle-orm'
import type { ResultSetHeader } from 'mysql2'
import { messages, roomMembers, users } from '../../drizzle/schema'
import { useDb } from '../lib/db/client'
import { forbidden, fromZodError, notFound } from '../lib/errors/app-error'
import type { Message } from '../../shared/protocol/objects'
import { editMessageSchema, sendMessageSchema, type ListMessagesQuery } from '../../shared/protocol/room-schemas'
import { emit } from './domain-events'
import { lockRoom } from './member-changes'
import { requireMember } from './membership'
import { appendRoomEvent, messageEventPayload } from './room-log'
import { toMessage } from './room-presenters'
import { publicUserColumns } from './users'
import { writeMessage, type SendResult } from './message-writer'

const messageWithSender = () => ({ message: messages, sender: publicUserColumns })

async function findMessages(where: SQL | undefined, order: 'asc' | 'desc' = 'asc', limit = 1, offset = 0): Promise<Message[]> {
  const db = await useDb()
  const rows = await db.select(messageWithSender()).from(messages)
    .leftJoin(users, eq(users.id, messages.senderId))
    .where(where)
    .orderBy(order === 'asc' ? asc(messages.seq) : desc(messages.seq))
    .limit(limit)
    .offset(offset)
  return rows.map(r => toMessage(r.message, r.sender))
}

async function requireMessage(roomId: number, messageId: number): Promise<Message & { sender_id: number | null }> {
  const [message] = await findMessages(and(eq(messages.roomId, roomId), eq(messages.id, messageId)))
  if (!message) throw notFound('Message')
  return { ...message, sender_id: message.sender?.id ?? null }
}

function parseContent(content: unknown): string {
  const parsed = editMessageSchema.safeParse({ content })
  if (!parsed.success) throw fromZodError(parsed.error)
  return parsed.data.content
}

/**
 * Stores a message as the room's next seq and announces it. A repeated `client_msg_id` from the
 * same sender in the same room returns the stored message (`created: false`) and announces nothing;
 * the database's unique key decides, so concurrent repeats cannot both be stored.
 * @throws AppError 400 for bad input, 404 'Room not found' for non-members
 */
export async function sendMessage(userId: number, roomId: number, input: { content: string, message_type?: 'text', client_msg_id?: string | null }): Promise<SendResult> {
  // Only the fields a sender may set: a WebSocket payload also carries room_id, request ids...
  const parsed = sendMessageSchema.safeParse({ content: input.content, message_type: input.message_type, client_msg_id: input.client_msg_id })
  if (!parsed.success) throw fromZodError(parsed.error)
  return sendValidatedMessage(userId, roomId, parsed.data.content, parsed.data.client_msg_id ?? null)
}

/**
 * {@link sendMessage} for input already checked against the same rules (the WebSocket frame schema
 * shares them), so a frame is validated once.
 */
export function sendValidatedMessage(userId: number, roomId: number, content: string, clientMsgId: string | null): Promise<SendResult> {
  // Membership, the seq, the idempotency key and the announcement all happen in the batched writer,
  // inside the transaction that stores the message.
  return writeMessage({ userId, roomId, content, clientMsgId })
}

/**
 * The sender changes their message's content.
 * @throws AppError 400 bad content, 404 room (non-member) or message (missing/deleted), 403 not the sender
 */
export async function editMessage(userId: number, roomId: number, messageId: number, content: string): Promise<Message> {
  const text = parseContent(content)
  await requireMember(roomId, userId)
  const current = await requireMessage(roomId, messageId)
  if (current.is_deleted) throw notFound('Message')
  if (current.sender_id !== userId) throw forbidden('You can edit only your own messages')
  const db = await useDb()
  const seq = await db.transaction(async (tx) => {
    const event = await appendRoomEvent(tx, roomId, 'message_updated', {
      messageId: async () => {
        const [res] = await tx.update(messages).set({ content: text, isEdited: true, editedAt: new Date() })
          .where(and(eq(messages.id, messageId), eq(messages.isDeleted, false))) as unknown as [ResultSetHeader]
        if (res.affectedRows !== 1) throw notFound('Message')
        return messageId
      },
    })
    return event.seq
  })
  const { sender_id: _senderId, ...message } = await requireMessage(roomId, messageId)
  emit({ kind: 'room_event', roomId, seq, type: 'message_updated', payload: messageEventPayload('message_updated', seq, message) })
  return message
}

/**
 * Turns a message into a tombstone (content removed, `is_deleted`), keeping its seq in history.
 * Deleting a deleted message changes nothing.
 * @throws AppError 404 room (non-member) or message, 403 unless sender, owner or admin
 */
export async function deleteMessage(userId: number, roomId: number, messageId: number): Promise<void> {
  const { role } = await requireMember(roomId, userId)
  const current = await requireMessage(roomId, messageId)
  if (current.is_deleted) return
  if (current.sender_id !== userId && role === 'member') throw forbidden('You can delete only your own messages')
  const db = await useDb()
  const seq = await db.transaction(async (tx) => {
    await lockRoom(tx, roomId)
    const [res] = await tx.update(messages).set({ content: '', isDeleted: true })
      .where(and(eq(messages.id, messageId), eq(messages.isDeleted, false))) as unknown as [ResultSetHeader]
    if (res.affectedRows !== 1) return null
    const event = await appendRoomEvent(tx, roomId, 'message_deleted', { messageId })
    return event.seq
  })
  if (seq === null) return
  emit({ kind: 'room_event', roomId, seq, type: 'message_deleted', payload: { room_id: roomId, id: messageId, seq, event_seq: seq } })
}

/**
 * Moves the caller's read marker forward to a message of the room. Backwards (or to the same
 * message) is a no-op that takes no seq and announces nothing.
 * @throws AppError 404 room (non-member) or message
 */
export async function markRead(userId: number, roomId: number, messageId: number): Promise<void> {
  const db = await useDb()
  // One read decides membership, the message and whether the marker would move, so a marker sent
  // again (clients re-send it on focus, reconnect, scroll) costs no transaction and no room lock.
  const [current] = await db.select({ lastReadSeq: roomMembers.lastReadSeq, seq: messages.seq }).from(roomMembers)
    .leftJoin(messages, and(eq(messages.id, messageId), eq(messages.roomId, roomMembers.roomId)))
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
  if (!current) throw notFound('Room')
  if (current.seq === null) throw notFound('Message')
  if (current.seq <= current.lastReadSeq) return
  const targetSeq = current.seq
  const event = await db.transaction(async (tx) => {
    await lockRoom(tx, roomId)
    // Checked again under the lock: another socket of the same user may have moved it meanwhile.
    const [res] = await tx.update(roomMembers).set({ lastReadSeq: targetSeq, lastReadMessageId: messageId })
      .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId), lt(roomMembers.lastReadSeq, targetSeq))) as unknown as [ResultSetHeader]
    if (res.affectedRows !== 1) return null
    return appendRoomEvent(tx, roomId, 'read_updated', {
      payload: seq => ({ room_id: roomId, seq, user_id: userId, message_id: messageId }),
    })
  })
  if (event) emit({ kind: 'room_event', roomId, seq: event.seq, type: 'read_updated', payload: event.payload! })
}

/**
 * History, oldest first: the newest `limit` before the message `before` (or before the end, or
 * skipping the newest `offset`), or the first `limit` after `after_seq`. Deleted messages stay as
 * tombstones so seqs are whole.
 * @throws AppError 404 room (non-member) or `before` message
 */
export async function listMessages(userId: number, roomId: number, query: ListMessagesQuery): Promise<Message[]> {
  await requireMember(roomId, userId)
  const inRoom = eq(messages.roomId, roomId)
  if (query.after_seq !== undefined) return findMessages(and(inRoom, gt(messages.seq, query.after_seq)), 'asc', query.limit)
  let where = and(inRoom)
  if (query.before !== undefined) {
    const before = await requireMessage(roomId, query.before)
    where = and(inRoom, lt(messages.seq, before.seq))
  }
  const newestFirst = await findMessages(where, 'desc', query.limit, query.offset ?? 0)
  return newestFirst.reverse()
}
