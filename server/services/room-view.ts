/**
 * Rooms as one member sees them (unread count, last message, role, peer), loaded with a fixed
 * number of queries however many rooms there are: one for the rooms, then three in parallel.
 */
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm'
import { messages, roomMembers, rooms, users } from '../../drizzle/schema'
import { useDb } from '../lib/db/client'
import type { Message, PublicUser, Room } from '../../shared/protocol/objects'
import { toPublicUser } from './presenters'
import { toMessage, toRoom } from './room-presenters'
import { publicUserColumns } from './users'
import { roomRowColumns } from './member-changes'

export async function loadRoomsForUser(userId: number, onlyRoomId?: number): Promise<Room[]> {
  const db = await useDb()
  const rows = await db.select({
    ...roomRowColumns,
    lastMessageId: rooms.lastMessageId,
    role: roomMembers.role,
  }).from(roomMembers)
    .innerJoin(rooms, eq(rooms.id, roomMembers.roomId))
    .where(and(eq(roomMembers.userId, userId), onlyRoomId ? eq(roomMembers.roomId, onlyRoomId) : undefined))
    .orderBy(desc(rooms.lastActivityAt), desc(rooms.id))
  if (!rows.length) return []

  const lastMessageIds = rows.map(r => r.lastMessageId).filter((id): id is number => id != null)
  const privateRoomIds = rows.filter(r => r.roomType === 'private').map(r => r.id)
    const [lastMessages, unread, peers] = await Promise.all([
    lastMessageIds.length
      ? db.select({ message: messages, sender: publicUserColumns }).from(messages)
          .leftJoin(users, eq(users.id, messages.senderId))
          .where(inArray(messages.id, lastMessageIds))
      : [],
    // "Unread": after my read marker, sent by someone else, not deleted.
    db.select({ roomId: messages.roomId, count: sql<number>`COUNT(*)` }).from(roomMembers)
      .innerJoin(messages, and(eq(messages.roomId, roomMembers.roomId), sql`${messages.seq} > ${roomMembers.lastReadSeq}`))
      .where(and(
        eq(roomMembers.userId, userId),
        onlyRoomId ? eq(roomMembers.roomId, onlyRoomId) : undefined,
        eq(messages.isDeleted, false),
        sql`(${messages.senderId} IS NULL OR ${messages.senderId} <> ${userId})`,
      ))
      .groupBy(messages.roomId),
    privateRoomIds.length
      ? db.select({ roomId: roomMembers.roomId, user: publicUserColumns }).from(roomMembers)
          .innerJoin(users, eq(users.id, roomMembers.userId))
          .where(and(inArray(roomMembers.roomId, privateRoomIds), ne(roomMembers.userId, userId)))
      : [],
  ])

  const messageById = new Map<number, Message>(lastMessages.map(r => [r.message.id, toMessage(r.message, r.sender?.id ? r.sender : null)]))
  const unreadByRoom = new Map(unread.map(r => [r.roomId, Number(r.count)]))
  const peerByRoom = new Map<number, PublicUser>(peers.map(p => [p.roomId, toPublicUser(p.user)]))
  return rows.map(r => toRoom(r, {
    role: r.role,
    unreadCount: unreadByRoom.get(r.id) ?? 0,
    lastMessage: r.lastMessageId != null ? messageById.get(r.lastMessageId) ?? null : null,
    peer: peerByRoom.get(r.id) ?? null,
  }))
}
