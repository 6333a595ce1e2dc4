/** How rooms and people are shown: a direct room is named after the other person. */
import type { PublicUser, Room } from '../shared/protocol/objects'

export function roomTitle(room: Pick<Room, 'name' | 'room_type' | 'peer'>): string {
  if (room.room_type === 'private' && room.peer) return room.peer.username
  return room.name
}

export function initials(name: string): string {
  const trimmed = name.trim()
  if (!trimmed) return '?'
  return Array.from(trimmed)[0]!.toUpperCase()
}

/** A stable hue per id so avatars are told apart at a glance. */
export function hueFor(id: number): number {
  return (id * 47) % 360
}

export function sameUser(a: PublicUser | null | undefined, b: { id: number } | null | undefined): boolean {
  return !!a && !!b && a.id === b.id
}

/** A copy of a record keyed by id without one key (keeps store updates immutable and lint-clean). */
export function without<T>(record: Record<number, T>, key: number): Record<number, T> {
  const out: Record<number, T> = {}
  for (const [k, v] of Object.entries(record)) {
    if (Number(k) !== key) out[Number(k)] = v
  }
  return out
}
