import { char, index, mysqlTable, uniqueIndex, varchar } from 'drizzle-orm/mysql-core'
import { createdAt, id, timestamp } from './columns'
import { users } from './users'

/** One session per login: the family of its rotating refresh tokens. Access tokens name it as `sid`. */
export const sessions = mysqlTable('sessions', {
  id: id().autoincrement().primaryKey(),
  userId: id('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  userAgent: varchar('user_agent', { length: 255 }),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at').notNull(),
  revokedAt: timestamp('revoked_at'),
  revokedReason: varchar('revoked_reason', { length: 32 }),
}, t => [index('sessions_user_idx').on(t.userId)])

/** Refresh tokens are stored only as a SHA-256 hash; a spent one presented again revokes its session. */
export const refreshTokens = mysqlTable('refresh_tokens', {
  id: id().autoincrement().primaryKey(),
  sessionId: id('session_id').notNull().references(() => sessions.id, { onDelete: 'cascade' }),
  tokenHash: char('token_hash', { length: 64 }).notNull(),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at').notNull(),
  spentAt: timestamp('spent_at'),
}, t => [uniqueIndex('refresh_tokens_hash_uq').on(t.tokenHash), index('refresh_tokens_session_idx').on(t.sessionId)])
