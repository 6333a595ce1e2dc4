/**
 * Membership changes as steps inside a caller's transaction, each recording its room event.
 * They return the domain events to emit once the caller has committed.
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm'
import { roomMembers, rooms, users } from '../../drizzle/schema'
import { notFound } from '../lib/errors/app-error'
import type { MemberRole } from '../../shared/protocol/objects'
import type { DomainEvent } from './domain-events'
import { toPublicUser } from './presenters'
import { toSharedRoom, type RoomRow } from './room-presenters'
import { appendRoomEvent, type Tx } from './room-log'
import { publicUserColumns } from './users'

export type LockedRoom = RoomRow & { directKey: string | null }

/** The columns every view of a room is built from (RoomRow). */
export const roomRowColumns = {
  id: rooms.id,
  name: rooms.name,
  description: rooms.description,
  roomType: rooms.roomType,
  ownerId: rooms.ownerId,
  avatarUrl: rooms.avatarUrl,
  maxMembers: rooms.maxMembers,
  memberCount: rooms.memberCount,
  lastSeq: rooms.lastSeq,
  createdAt: rooms.createdAt,
}

const roomColumns = { ...roomRowColumns, directKey: rooms.directKey }

/**
 * Takes the room row's write lock for the rest of the transaction (the same lock seqs are taken
 * under, so it comes first) and returns the room.
 * @throws AppError 404 when there is no such room
 */
export async function lockRoom(tx: Tx, roomId: number): Promise<LockedRoom> {
  const [room] = await tx.select(roomColumns).from(rooms).where(eq(rooms.id, roomId)).for('update')
  if (!room) throw notFound('Room')
  return room
}

/** Longest-standing first: by the seq that let each member in (rows from before it was kept: by time). */
export const joinOrder = [asc(roomMembers.joinedSeq), asc(roomMembers.joinedAt), asc(roomMembers.userId)]

/** The user's role in the room as of this transaction, or null. */
export async function roleInTx(tx: Tx, roomId: number, userId: number): Promise<MemberRole | null> {
  const [row] = await tx.select({ role: roomMembers.role }).from(roomMembers)
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
  return row?.role ?? null
}

/**
 * Adds a member (the caller checked who may) and records `member_added`.
 * @throws AppError 404 when the user does not exist
 */
export async function addMemberInTx(tx: Tx, room: LockedRoom, userId: number, role: MemberRole): Promise<DomainEvent> {
  const [user] = await tx.select(publicUserColumns).from(users).where(eq(users.id, userId))
  if (!user) throw notFound('User')
  // A newcomer's read marker starts where they join: earlier history is there to read, not "unread".
  const lastReadSeq = room.lastSeq
  room.memberCount += 1
  await tx.update(rooms).set({ memberCount: sql`${rooms.memberCount} + 1` }).where(eq(rooms.id, room.id))
  const event = await appendRoomEvent(tx, room.id, 'member_added', {
    payload: seq => ({ room_id: room.id, seq, user: toPublicUser(user), role, member_count: room.memberCount }),
  })
  await tx.insert(roomMembers).values({ roomId: room.id, userId, role, joinedAt: new Date(), joinedSeq: event.seq, lastReadSeq })
  room.lastSeq = event.seq
  return { kind: 'room_event', roomId: room.id, seq: event.seq, type: 'member_added', payload: event.payload!, addedUserIds: [userId] }
}

/** Removes a member (the caller checked who may) and records `member_removed`. */
export async function removeMemberInTx(tx: Tx, room: LockedRoom, userId: number): Promise<DomainEvent> {
  await tx.delete(roomMembers).where(and(eq(roomMembers.roomId, room.id), eq(roomMembers.userId, userId)))
  room.memberCount -= 1
  await tx.update(rooms).set({ memberCount: sql`${rooms.memberCount} - 1` }).where(eq(rooms.id, room.id))
  const event = await appendRoomEvent(tx, room.id, 'member_removed', {
    payload: seq => ({ room_id: room.id, seq, user_id: userId, member_count: room.memberCount }),
  })
  room.lastSeq = event.seq
  return { kind: 'room_event', roomId: room.id, seq: event.seq, type: 'member_removed', payload: event.payload!, removedUserIds: [userId] }
}

/** Changes a member's role and records the extension event `member_updated`. */
export async function setRoleInTx(tx: Tx, room: LockedRoom, userId: number, role: MemberRole): Promise<DomainEvent> {
  const [user] = await tx.select(publicUserColumns).from(users).where(eq(users.id, userId))
  if (!user) throw notFound('User')
  await tx.update(roomMembers).set({ role }).where(and(eq(roomMembers.roomId, room.id), eq(roomMembers.userId, userId)))
  const event = await appendRoomEvent(tx, room.id, 'member_updated', {
    payload: seq => ({ room_id: room.id, seq, user: toPublicUser(user), role, member_count: room.memberCount }),
  })
  room.lastSeq = event.seq
  return { kind: 'room_event', roomId: room.id, seq: event.seq, type: 'member_updated', payload: event.payload! }
}

/** Writes changed room fields and records `room_updated` with the room's shared fields. */
export async function updateRoomInTx(tx: Tx, room: LockedRoom, changes: Partial<Pick<LockedRoom, 'name' | 'description' | 'ownerId'>>): Promise<DomainEvent> {
  if (Object.keys(changes).length) await tx.update(rooms).set(changes).where(eq(rooms.id, room.id))
  Object.assign(room, changes)
  const event = await appendRoomEvent(tx, room.id, 'room_updated', {
    payload: seq => ({ ...toSharedRoom({ ...room, lastSeq: seq }), seq }),
  })
  room.lastSeq = event.seq
  return { kind: 'room_event', roomId: room.id, seq: event.seq, type: 'room_updated', payload: event.payload! }
}

/** Who inherits a room from its leaving owner: the longest-standing admin, else member. */
export async function successorInTx(tx: Tx, roomId: number, leavingUserId: number): Promise<number | null> {
  const [row] = await tx.select({ userId: roomMembers.userId }).from(roomMembers)
    .where(and(eq(roomMembers.roomId, roomId), sql`${roomMembers.userId} <> ${leavingUserId}`))
    .orderBy(desc(sql`${roomMembers.role} = 'admin'`), ...joinOrder)
    .limit(1)
  return row?.userId ?? null
}

export async function memberIdsInTx(tx: Tx, roomId: number): Promise<number[]> {
  const rows = await tx.select({ userId: roomMembers.userId }).from(roomMembers).where(eq(roomMembers.roomId, roomId))
  return rows.map(r => r.userId)
}
