/**
 * Who is in which room, and the membership changes: invite, remove, leave, change a role.
 * Every room-scoped question answers "not found" to non-members, so room ids leak nothing.
 */
import { and, eq } from 'drizzle-orm'
import { roomMembers, rooms, users } from '../../drizzle/schema'
import { useDb } from '../lib/db/client'
import { AppError, conflict, forbidden, isDuplicateKey, notFound } from '../lib/errors/app-error'
import { ERROR_CODES } from '../../shared/protocol/error-codes'
import type { Member, MemberRole } from '../../shared/protocol/objects'
import { emit, type DomainEvent } from './domain-events'
import { addMemberInTx, joinOrder, lockRoom, memberIdsInTx, removeMemberInTx, roleInTx, setRoleInTx, successorInTx, updateRoomInTx } from './member-changes'
import { toMember } from './room-presenters'
import type { Tx } from './room-log'
import { loadRoomsForUser } from './room-view'
import { getPublicUser, publicUserColumns } from './users'

/**
 * The caller's role in the room.
 * @throws AppError 404 NOT_FOUND 'Room not found' when the room does not exist or they are not in it
 */
export async function requireMember(roomId: number, userId: number): Promise<{ role: MemberRole }> {
  const db = await useDb()
  const [row] = await db.select({ role: roomMembers.role }).from(roomMembers)
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
  if (!row) throw notFound('Room')
  return { role: row.role }
}

/**
 * The room's member count, asked by one of its members: one indexed lookup, for the frames that
 * carry only the count (joining or leaving a room's view), where the whole room view would cost
 * four queries, one of them counting unread messages.
 * @throws AppError 404 NOT_FOUND 'Room not found' when the room does not exist or they are not in it
 */
export async function memberCountFor(roomId: number, userId: number): Promise<number> {
  const db = await useDb()
  const [row] = await db.select({ memberCount: rooms.memberCount }).from(roomMembers)
    .innerJoin(rooms, eq(rooms.id, roomMembers.roomId))
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
  if (!row) throw notFound('Room')
  return row.memberCount
}

export async function roomIdsOfUser(userId: number): Promise<number[]> {
  const db = await useDb()
  const rows = await db.select({ roomId: roomMembers.roomId }).from(roomMembers).where(eq(roomMembers.userId, userId))
  return rows.map(r => r.roomId)
}

export async function memberIdsOfRoom(roomId: number): Promise<number[]> {
  const db = await useDb()
  const rows = await db.select({ userId: roomMembers.userId }).from(roomMembers).where(eq(roomMembers.roomId, roomId))
  return rows.map(r => r.userId)
}

/** Members with their roles, longest-standing first. @throws AppError 404 for non-members */
export async function listMembers(userId: number, roomId: number): Promise<Member[]> {
  await requireMember(roomId, userId)
  const db = await useDb()
  const rows = await db.select({ user: publicUserColumns, role: roomMembers.role, joinedAt: roomMembers.joinedAt })
    .from(roomMembers).innerJoin(users, eq(users.id, roomMembers.userId))
    .where(eq(roomMembers.roomId, roomId))
    .orderBy(...joinOrder)
  return rows.map(r => toMember(r.user, r.role, r.joinedAt))
}

/** Tells invitees about their new room, each seeing it as they will in GET /rooms. */
export async function announceInvites(roomId: number, inviterId: number, inviteeIds: number[]): Promise<void> {
  if (!inviteeIds.length) return
  const [inviter, [room]] = await Promise.all([getPublicUser(inviterId), loadRoomsForUser(inviteeIds[0]!, roomId)])
  if (!room) return
  // Invitees of one call all just joined as plain members, so one view fits them all (a direct
  // room has a single invitee, whose `peer` is the inviter).
  emit({ kind: 'user_frame', userIds: inviteeIds, type: 'room_invited', payload: { room, inviter } })
}

export function emitAll(events: DomainEvent[]): void {
  for (const event of events) emit(event)
}

/**
 * Any member may invite, into a group room with space left.
 * @throws AppError 404 (room, for non-members; user), 403 (direct room), 409 ALREADY_MEMBER / ROOM_FULL
 */
export async function addMember(actorId: number, roomId: number, inviteeId: number): Promise<Member> {
  const db = await useDb()
  let events: DomainEvent[]
  try {
    events = await db.transaction(async (tx) => {
      const room = await lockRoom(tx, roomId)
      if (!(await roleInTx(tx, roomId, actorId))) throw notFound('Room')
      if (room.roomType === 'private') throw forbidden('A direct room holds only its two people')
      const [invitee] = await tx.select({ id: users.id }).from(users).where(eq(users.id, inviteeId))
      if (!invitee) throw notFound('User')
      if (await roleInTx(tx, roomId, inviteeId)) throw conflict(ERROR_CODES.ALREADY_MEMBER, 'That user is already a member', { user_id: 'Already a member' })
      if (room.memberCount >= room.maxMembers) throw conflict(ERROR_CODES.ROOM_FULL, `The room is full (${room.maxMembers} members)`)
      return [await addMemberInTx(tx, room, inviteeId, 'member')]
    })
  }
  catch (err) {
    // Two invitations of the same person racing: the primary key decides.
    if (isDuplicateKey(err)) throw conflict(ERROR_CODES.ALREADY_MEMBER, 'That user is already a member', { user_id: 'Already a member' })
    throw err
  }
  emitAll(events)
  await announceInvites(roomId, actorId, [inviteeId])
  return requireMemberView(roomId, inviteeId)
}

/** One member as GET /rooms/:id/members shows it. @throws AppError 404 when not (any more) a member */
async function requireMemberView(roomId: number, userId: number): Promise<Member> {
  const db = await useDb()
  const [row] = await db.select({ user: publicUserColumns, role: roomMembers.role, joinedAt: roomMembers.joinedAt })
    .from(roomMembers).innerJoin(users, eq(users.id, roomMembers.userId))
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
  if (!row) throw notFound('Member')
  return toMember(row.user, row.role, row.joinedAt)
}

/**
 * Removing someone else: owner removes anyone, admin removes plain members. Removing yourself is leaving.
 * @throws AppError 404 (room for non-members; member), 403 when the role does not allow it
 */
export async function removeMember(actorId: number, roomId: number, targetId: number): Promise<void> {
  if (actorId === targetId) {
    await leaveRoom(actorId, roomId)
    return
  }
  const db = await useDb()
  const events = await db.transaction(async (tx) => {
    const { room, actorRole, targetRole } = await lockWithRoles(tx, roomId, actorId, targetId)
    if (room.roomType === 'private') throw forbidden('Nobody can be removed from a direct room; leave it instead')
    const allowed = actorRole === 'owner' || (actorRole === 'admin' && targetRole === 'member')
    if (!allowed) throw forbidden(actorRole === 'admin' ? 'Admins can remove only members' : 'Only the owner or an admin can remove members')
    return [await removeMemberInTx(tx, room, targetId)]
  })
  emitAll(events)
}

/**
 * Leaves the room. An owner hands the room to the longest-standing admin, else member; the last
 * one out deletes it.
 * @throws AppError 404 for non-members
 */
export async function leaveRoom(userId: number, roomId: number): Promise<{ room_deleted: boolean }> {
  const db = await useDb()
  const outcome = await db.transaction(async (tx) => {
    const room = await lockRoom(tx, roomId)
    const role = await roleInTx(tx, roomId, userId)
    if (!role) throw notFound('Room')
    const memberIds = await memberIdsInTx(tx, roomId)
    if (memberIds.length <= 1) {
      await tx.delete(rooms).where(eq(rooms.id, roomId))
      return { deleted: true, events: [{ kind: 'room_deleted', roomId, memberIds } satisfies DomainEvent] }
    }
    const events: DomainEvent[] = [await removeMemberInTx(tx, room, userId)]
    if (role === 'owner') {
      const heir = await successorInTx(tx, roomId, userId)
      if (heir) {
        events.push(await setRoleInTx(tx, room, heir, 'owner'))
        events.push(await updateRoomInTx(tx, room, { ownerId: heir }))
      }
    }
    return { deleted: false, events }
  })
  emitAll(outcome.events)
  return { room_deleted: outcome.deleted }
}

/**
 * Locks the room and reads the roles of the one acting and the one acted on.
 * @throws AppError 404 'Room' when the actor is not a member, 404 'Member' when the target is not
 */
async function lockWithRoles(tx: Tx, roomId: number, actorId: number, targetId: number) {
  const room = await lockRoom(tx, roomId)
  const actorRole = await roleInTx(tx, roomId, actorId)
  if (!actorRole) throw notFound('Room')
  const targetRole = await roleInTx(tx, roomId, targetId)
  if (!targetRole) throw notFound('Member')
  return { room, actorRole, targetRole }
}

/**
 * Extension: the owner makes a member an admin or back. Ownership moves only when the owner leaves.
 * @throws AppError 404 (room for non-members; member), 403 unless owner, 400 for the owner themselves
 */
export async function setMemberRole(actorId: number, roomId: number, targetId: number, role: 'admin' | 'member'): Promise<Member> {
  const db = await useDb()
  const events = await db.transaction(async (tx) => {
    const { room, actorRole, targetRole } = await lockWithRoles(tx, roomId, actorId, targetId)
    if (actorRole !== 'owner') throw forbidden('Only the owner can change roles')
    if (room.roomType === 'private') throw forbidden('A direct room has no admins')
    if (targetRole === 'owner') throw new AppError(400, ERROR_CODES.VALIDATION_FAILED, 'The owner keeps their role until they leave', { user_id: 'Is the owner' })
    if (targetRole === role) return []
    return [await setRoleInTx(tx, room, targetId, role)]
  })
  emitAll(events)
  return requireMemberView(roomId, targetId)
}
