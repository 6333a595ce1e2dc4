import { boolean, index, mysqlEnum, mysqlTable, primaryKey, text, uniqueIndex, varchar } from 'drizzle-orm/mysql-core'
import { createdAt, id, timestamp } from './columns'
import { rooms } from './rooms'
import { users } from './users'

export const messages = mysqlTable('messages', {
  id: id().autoincrement().primaryKey(),
  roomId: id('room_id').notNull().references(() => rooms.id, { onDelete: 'cascade' }),
  seq: id('seq').notNull(),
  senderId: id('sender_id').references(() => users.id, { onDelete: 'set null' }),
  content: text('content').notNull(),
  messageType: mysqlEnum('message_type', ['text', 'system']).notNull().default('text'),
  clientMsgId: varchar('client_msg_id', { length: 64 }),
  isEdited: boolean('is_edited').notNull().default(false),
  isDeleted: boolean('is_deleted').notNull().default(false),
  editedAt: timestamp('edited_at'),
  createdAt: createdAt(),
}, t => [
  uniqueIndex('messages_room_seq_uq').on(t.roomId, t.seq),
  // The idempotency key of the delivery contract: NULLs never collide, so messages without one are free.
  uniqueIndex('messages_client_msg_uq').on(t.roomId, t.senderId, t.clientMsgId),
  index('messages_sender_idx').on(t.senderId),
])

/**
 * The per-room event log of PROTOCOL.md. Message events keep only `message_id` and are rendered
 * from the message row when read, so the log never holds a deleted message's content.
 */
export const roomEvents = mysqlTable('room_events', {
  roomId: id('room_id').notNull().references(() => rooms.id, { onDelete: 'cascade' }),
  seq: id('seq').notNull(),
  type: mysqlEnum('type', ['new_message', 'message_updated', 'message_deleted', 'member_added', 'member_removed', 'member_updated', 'room_updated', 'read_updated']).notNull(),
  messageId: id('message_id'),
  payload: text('payload'),
  createdAt: createdAt(),
}, t => [primaryKey({ columns: [t.roomId, t.seq] })])
