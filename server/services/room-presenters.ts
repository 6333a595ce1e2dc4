/** Row -> wire conversions for rooms, members and messages (users are in presenters.ts). */
import type { Member, MemberRole, Message, PublicUser, Room, RoomType } from '../../shared/protocol/objects'
import { toPublicUser, type UserRow } from './presenters'

export interface MessageRow {
  id: number
  roomId: number
  seq: number
  content: string
  messageType: 'text' | 'system'
  clientMsgId: string | null
  isEdited: boolean
  isDeleted: boolean
  /** A Date from the database, or the ISO string of a message just stored (formatted once). */
  createdAt: Date | string
}

/** A message as it travels. A deleted one is a tombstone: its content never leaves the server. */
export function toMessage(m: MessageRow, sender: UserRow | null): Message {
  return {
    id: m.id,
    room_id: m.roomId,
    seq: m.seq,
    sender: sender ? toPublicUser(sender) : null,
    content: m.isDeleted ? '' : m.content,
    message_type: m.messageType,
    client_msg_id: m.clientMsgId,
    is_edited: m.isEdited,
    is_deleted: m.isDeleted,
    created_at: typeof m.createdAt === 'string' ? m.createdAt : m.createdAt.toISOString(),
  }
}

export function toMember(user: UserRow, role: MemberRole, joinedAt: Date): Member {
  return { user: toPublicUser(user), role, joined_at: joinedAt.toISOString() }
}

export interface RoomRow {
  id: number
  name: string
  description: string | null
  roomType: RoomType
  ownerId: number | null
  avatarUrl: string | null
  maxMembers: number
  memberCount: number
  lastSeq: number
  createdAt: Date
}

/** The fields every member sees alike: what a `room_updated` event carries. */
export type SharedRoom = Omit<Room, 'unread_count' | 'last_message' | 'my_role' | 'peer'>

export function toSharedRoom(r: RoomRow): SharedRoom {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    room_type: r.roomType,
    owner_id: r.ownerId,
    avatar_url: r.avatarUrl,
    max_members: r.maxMembers,
    member_count: r.memberCount,
    created_at: r.createdAt.toISOString(),
    last_seq: r.lastSeq,
  }
}

/** The room as one member sees it. A direct room is named after the other person. */
export function toRoom(r: RoomRow, viewer: { role: MemberRole, unreadCount: number, lastMessage: Message | null, peer: PublicUser | null }): Room {
  const room: Room = {
    ...toSharedRoom(r),
    unread_count: viewer.unreadCount,
    last_message: viewer.lastMessage,
    my_role: viewer.role,
  }
  if (r.roomType === 'private') {
    room.peer = viewer.peer
    room.name = viewer.peer?.username ?? r.name
  }
  return room
}
