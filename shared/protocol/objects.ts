/** The objects of PROTOCOL.md, exactly as they travel (snake_case, ISO-8601 UTC times). */
export type UserStatus = 'online' | 'away' | 'offline'

export interface PublicUser {
  id: number
  username: string
  avatar_url: string | null
  status: UserStatus
  last_seen_at: string | null
  created_at: string
}

/** Your own user: the only place `email` appears. */
export interface OwnUser extends PublicUser {
  email: string
}

export type RoomType = 'group' | 'private'
export type MemberRole = 'owner' | 'admin' | 'member'
export type MessageType = 'text' | 'system'

export interface Message {
  id: number
  room_id: number
  seq: number
  sender: PublicUser | null
  content: string
  message_type: MessageType
  client_msg_id: string | null
  is_edited: boolean
  is_deleted: boolean
  created_at: string
}

export interface Room {
  id: number
  name: string
  description: string | null
  room_type: RoomType
  owner_id: number | null
  avatar_url: string | null
  max_members: number
  member_count: number
  created_at: string
  unread_count: number
  last_message: Message | null
  /** Extension: the room's latest event seq, so a client knows where to catch up from. */
  last_seq: number
  /** Extension: your role in the room. */
  my_role?: MemberRole
  /** Extension: for a private room, the other person. */
  peer?: PublicUser | null
}

export interface Member {
  user: PublicUser
  role: MemberRole
  joined_at: string
}

/** `member_updated` is an extension (a member's role changed); the rest are PROTOCOL.md's. */
export type RoomEventType = 'new_message' | 'message_updated' | 'message_deleted' | 'member_added' | 'member_removed' | 'member_updated' | 'room_updated' | 'read_updated'

export interface RoomEvent {
  room_id: number
  seq: number
  type: RoomEventType
  payload: Record<string, unknown>
  created_at: string
}

export interface AuthResponse {
  user: OwnUser
  access_token: string
  refresh_token: string
  expires_in: number
}

export interface TokenResponse {
  access_token: string
  refresh_token: string
  expires_in: number
}
