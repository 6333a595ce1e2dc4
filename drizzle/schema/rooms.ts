import { sql } from 'drizzle-orm'
import { index, int, mysqlEnum, mysqlTable, primaryKey, varchar } from 'drizzle-orm/mysql-core'
import { createdAt, id, timestamp } from './columns'
import { users } from './users'

export const rooms = mysqlTable('rooms', {
  id: id().autoincrement().primaryKey(),
  name: varchar('name', { length: 100 }).notNull(),
  description: varchar('description', { length: 500 }),
  roomType: mysqlEnum('room_type', ['group', 'private']).notNull().default('group'),
  ownerId: id('owner_id').references(() => users.id, { onDelete: 'set null' }),
  avatarUrl: varchar('avatar_url', { length: 512 }),
  maxMembers: int('max_members', { unsigned: true }).notNull().default(1000),
  memberCount: int('member_count', { unsigned: true }).notNull().default(0),
  // The room's event counter: each change takes last_seq + 1 under this row's lock, so seqs are
  // gap-free and in commit order.
  lastSeq: id('last_seq').notNull().default(0),
  lastMessageId: id('last_message_id'),
  lastActivityAt: timestamp('last_activity_at').notNull(),
  // "low:high" user ids of a direct room, so one pair can never get two direct rooms.
  directKey: varchar('direct_key', { length: 64 }).unique('rooms_direct_key_uq'),
  createdAt: createdAt(),
}, t => [index('rooms_activity_idx').on(t.lastActivityAt)])

export const roomMembers = mysqlTable('room_members', {
  roomId: id('room_id').notNull().references(() => rooms.id, { onDelete: 'cascade' }),
  userId: id('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  role: mysqlEnum('role', ['owner', 'admin', 'member']).notNull().default('member'),
  joinedAt: timestamp('joined_at').notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  // The seq of the member_added event that let this member in. Members added in one transaction
  // share a millisecond, so joined_at alone cannot say who joined first; 0 on rows from before.
  joinedSeq: id('joined_seq').notNull().default(0),
  lastReadMessageId: id('last_read_message_id'),
  lastReadSeq: id('last_read_seq').notNull().default(0),
}, t => [primaryKey({ columns: [t.roomId, t.userId] }), index('room_members_user_idx').on(t.userId)])
