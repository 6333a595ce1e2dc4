/** Rooms: create (group or direct), list, show, rename, delete, and read a room's event log. */
import { eq, inArray } from 'drizzle-orm'
import { rooms, users } from '../../drizzle/schema'
import { useDb } from '../lib/db/client'
import { badRequest, conflict, forbidden, isDuplicateKey, notFound } from '../lib/errors/app-error'
import { ERROR_CODES } from '../../shared/protocol/error-codes'
import type { Room, RoomEvent } from '../../shared/protocol/objects'
import { ROOM_LIMITS, type CreateRoomInput, type UpdateRoomInput } from '../../shared/protocol/room-schemas'
import type { DomainEvent } from './domain-events'
import { addMemberInTx, lockRoom, memberIdsInTx, roleInTx, updateRoomInTx, type LockedRoom } from './member-changes'
import { announceInvites, emitAll, requireMember } from './membership'
import { readRoomEvents, type Tx } from './room-log'
import { loadRoomsForUser } from './room-view'

/** The caller's rooms, most recent activity first, in a fixed number of queries. */
export function listRooms(userId: number): Promise<Room[]> {
  return loadRoomsForUser(userId)
}

/** @throws AppError 404 'Room not found' when there is no such room or the user is not in it */
export async function getRoomForUser(roomId: number, userId: number): Promise<Room> {
  const [room] = await loadRoomsForUser(userId, roomId)
  if (!room) throw notFound('Room')
  return room
}

async function insertRoom(tx: Tx, values: typeof rooms.$inferInsert): Promise<LockedRoom> {
  const [res] = await tx.insert(rooms).values(values)
  return lockRoom(tx, res.insertId)
}

/**
 * Creates a group room owned by the caller, or finds/creates the direct room with one other person.
 * @returns created false when an existing direct room was returned
 * @throws AppError 404 for unknown member ids, 400 for a direct room with yourself, 409 ROOM_FULL
 */
export async function createRoom(userId: number, input: CreateRoomInput): Promise<{ room: Room, created: boolean }> {
  if (input.room_type === 'private') return openDirectRoom(userId, input.member_ids[0]!)
  const db = await useDb()
  const memberIds = [...new Set(input.member_ids)].filter(id => id !== userId)
  const maxMembers = input.max_members ?? ROOM_LIMITS.MAX_MEMBERS
  if (memberIds.length + 1 > maxMembers) throw conflict(ERROR_CODES.ROOM_FULL, `The room can hold only ${maxMembers} members`, { member_ids: 'Too many members' })
  if (memberIds.length) {
    const found = await db.select({ id: users.id }).from(users).where(inArray(users.id, memberIds))
    if (found.length !== memberIds.length) throw notFound('User')
  }
  const { roomId, events } = await db.transaction(async (tx) => {
    const room = await insertRoom(tx, {
      name: input.name, description: input.description || null, roomType: 'group', ownerId: userId,
      maxMembers, lastActivityAt: new Date(),
    })
    // The log starts with the members, so replaying it from 0 rebuilds the member list.
    const events: DomainEvent[] = [await addMemberInTx(tx, room, userId, 'owner')]
    for (const id of memberIds) events.push(await addMemberInTx(tx, room, id, 'member'))
    return { roomId: room.id, events }
  })
  emitAll(events)
  await announceInvites(roomId, userId, memberIds)
  return { room: await getRoomForUser(roomId, userId), created: true }
}

/** One direct room per pair, from either side: the unique `direct_key` "low:high" decides races. */
async function openDirectRoom(userId: number, peerId: number): Promise<{ room: Room, created: boolean }> {
  if (peerId === userId) throw badRequest('A direct room needs another person', { member_ids: 'Pick someone other than yourself' })
  const db = await useDb()
  const [peer] = await db.select({ id: users.id }).from(users).where(eq(users.id, peerId))
  if (!peer) throw notFound('User')
  const directKey = `${Math.min(userId, peerId)}:${Math.max(userId, peerId)}`

  const reopen = async () => {
    // Someone who left a direct room gets back in when either side opens it again.
    const { roomId, events } = await db.transaction(async (tx) => {
      // A locking read: a plain one would fix this transaction's snapshot before the lock is held,
      // and a concurrent re-add would then be invisible to the membership checks below.
      const [existing] = await tx.select({ id: rooms.id }).from(rooms).where(eq(rooms.directKey, directKey)).for('update')
      if (!existing) return { roomId: null, events: [] }
      const room = await lockRoom(tx, existing.id)
      const events: DomainEvent[] = []
      for (const id of [userId, peerId]) {
        if (!(await roleInTx(tx, room.id, id))) events.push(await addMemberInTx(tx, room, id, 'member'))
      }
      return { roomId: room.id, events }
    })
    if (roomId === null) return null
    emitAll(events)
    const invited = events.flatMap(e => (e.kind === 'room_event' ? e.addedUserIds ?? [] : [])).filter(id => id !== userId)
    await announceInvites(roomId, userId, invited)
    return { room: await getRoomForUser(roomId, userId), created: false }
  }

  const existing = await reopen()
  if (existing) return existing
  try {
    const { roomId, events } = await db.transaction(async (tx) => {
      const room = await insertRoom(tx, {
        name: '', roomType: 'private', ownerId: userId, maxMembers: ROOM_LIMITS.MIN_MEMBERS, lastActivityAt: new Date(), directKey,
      })
      const events = [await addMemberInTx(tx, room, userId, 'owner'), await addMemberInTx(tx, room, peerId, 'member')]
      return { roomId: room.id, events }
    })
    emitAll(events)
    await announceInvites(roomId, userId, [peerId])
    return { room: await getRoomForUser(roomId, userId), created: true }
  }
  catch (err) {
    // The other person opened it at the same moment: theirs won, use it.
    if (!isDuplicateKey(err, 'rooms_direct_key_uq')) throw err
    const raced = await reopen()
    if (!raced) throw err
    return raced
  }
}

/**
 * Owner or admin renames or describes a group room.
 * @throws AppError 404 for non-members, 403 for members or direct rooms
 */
export async function updateRoom(userId: number, roomId: number, input: UpdateRoomInput): Promise<Room> {
  const db = await useDb()
  const events = await db.transaction(async (tx) => {
    const room = await lockRoom(tx, roomId)
    const role = await roleInTx(tx, roomId, userId)
    if (!role) throw notFound('Room')
    if (role === 'member') throw forbidden('Only the owner or an admin can change the room')
    if (room.roomType === 'private') throw forbidden('A direct room is named after its people')
    const changes: { name?: string, description?: string | null } = {}
    if (input.name !== undefined) changes.name = input.name
    if (input.description !== undefined) changes.description = input.description || null
    if (!Object.keys(changes).length) return []
    return [await updateRoomInTx(tx, room, changes)]
  })
  emitAll(events)
  return getRoomForUser(roomId, userId)
}

/** @throws AppError 404 for non-members, 403 unless owner */
export async function deleteRoom(userId: number, roomId: number): Promise<void> {
  const db = await useDb()
  const memberIds = await db.transaction(async (tx) => {
    await lockRoom(tx, roomId)
    const role = await roleInTx(tx, roomId, userId)
    if (!role) throw notFound('Room')
    if (role !== 'owner') throw forbidden('Only the owner can delete the room')
    const ids = await memberIdsInTx(tx, roomId)
    await tx.delete(rooms).where(eq(rooms.id, roomId))
    return ids
  })
  emitAll([{ kind: 'room_deleted', roomId, memberIds }])
}

/** The room's log after `afterSeq`. @throws AppError 404 for non-members, 410 RESYNC_REQUIRED */
export async function listRoomEvents(userId: number, roomId: number, afterSeq: number, limit: number): Promise<RoomEvent[]> {
  await requireMember(roomId, userId)
  return readRoomEvents(roomId, afterSeq, limit)
}
