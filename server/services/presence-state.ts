/**
 * What every instance knows of who is online. The realtime layer writes it (from local sockets and,
 * with Redis, from the other instances); presenters read it synchronously.
 */
import type { UserStatus } from '../../shared/protocol/objects'

const online = new Set<number>()

export function statusOf(userId: number): UserStatus {
  return online.has(userId) ? 'online' : 'offline'
}

export function setOnline(userId: number, isOnline: boolean): void {
  if (isOnline) online.add(userId)
  else online.delete(userId)
}
