/** Finding people to invite and showing their public profile. Never returns emails. */
import { and, asc, desc, eq, inArray, like, ne, sql } from 'drizzle-orm'
import { users } from '../../drizzle/schema'
import { useDb } from '../lib/db/client'
import { notFound } from '../lib/errors/app-error'
import type { PublicUser } from '../../shared/protocol/objects'
import { toPublicUser, type UserRow } from './presenters'

/** The columns a public user is made of: selecting only these keeps emails and hashes out of reach. */
export const publicUserColumns = {
  id: users.id,
  username: users.username,
  avatarUrl: users.avatarUrl,
  lastSeenAt: users.lastSeenAt,
  createdAt: users.createdAt,
}

/** @throws AppError 404 when there is no such user */
export async function getPublicUser(userId: number): Promise<PublicUser> {
  const db = await useDb()
  const [row] = await db.select(publicUserColumns).from(users).where(eq(users.id, userId))
  if (!row) throw notFound('User')
  return toPublicUser(row)
}

/** Users by id, in one query; unknown ids are simply missing from the map. */
export async function userRowsById(ids: number[]): Promise<Map<number, UserRow>> {
  if (!ids.length) return new Map()
  const db = await useDb()
  const rows = await db.select(publicUserColumns).from(users).where(inArray(users.id, [...new Set(ids)]))
  return new Map(rows.map(r => [r.id, r]))
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, c => `\\${c}`)

/**
 * Usernames that start with or contain `q` (case-insensitive through the column's collation,
 * Hangul included), prefix matches first, the searcher left out.
 */
export async function searchUsers(userId: number, q: string, limit: number): Promise<PublicUser[]> {
  const db = await useDb()
  const prefix = `${escapeLike(q)}%`
  const contains = `%${escapeLike(q)}%`
  const rows = await db.select(publicUserColumns).from(users)
    .where(and(ne(users.id, userId), like(users.username, contains)))
    .orderBy(desc(sql`${users.username} LIKE ${prefix}`), asc(sql`CHAR_LENGTH(${users.username})`), asc(users.username))
    .limit(limit)
  return rows.map(toPublicUser)
}
