/** Row -> wire object conversions, in one place so every route and frame shows the same shapes. */
import type { OwnUser, PublicUser } from '../../shared/protocol/objects'
import { statusOf } from './presence-state'

export interface UserRow {
  id: number
  username: string
  email?: string
  avatarUrl: string | null
  lastSeenAt: Date | null
  createdAt: Date
}

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null)

export function toPublicUser(u: UserRow): PublicUser {
  return {
    id: u.id,
    username: u.username,
    avatar_url: u.avatarUrl,
    status: statusOf(u.id),
    last_seen_at: iso(u.lastSeenAt),
    created_at: u.createdAt.toISOString(),
  }
}

export function toOwnUser(u: UserRow & { email: string }): OwnUser {
  return { ...toPublicUser(u), email: u.email }
}
