import { mysqlTable, varchar, uniqueIndex } from 'drizzle-orm/mysql-core'
import { createdAt, id, timestamp } from './columns'

export const users = mysqlTable('users', {
  id: id().autoincrement().primaryKey(),
  // Stored lower-cased; the unicode_ci collation also makes usernames unique without regard to case.
  email: varchar('email', { length: 254 }).notNull(),
  username: varchar('username', { length: 32 }).notNull(),
  passwordHash: varchar('password_hash', { length: 255 }).notNull(),
  avatarUrl: varchar('avatar_url', { length: 512 }),
  lastSeenAt: timestamp('last_seen_at'),
  passwordChangedAt: timestamp('password_changed_at'),
  createdAt: createdAt(),
}, t => [
  uniqueIndex('users_email_uq').on(t.email),
  uniqueIndex('users_username_uq').on(t.username),
])
