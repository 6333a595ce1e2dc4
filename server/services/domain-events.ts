/**
 * The one seam between the domain and real time. Services call `emit` only after their transaction
 * has committed; the realtime layer subscribes and turns events into frames (locally, and across
 * instances through Redis). Nothing in services/ talks to sockets.
 */
import type { RoomEventType } from '../../shared/protocol/objects'

export type DomainEvent =
  /** A change in a room's log: goes to every socket of every member (plus `extraUserIds`). */
  | { kind: 'room_event', roomId: number, seq: number, type: RoomEventType, payload: Record<string, unknown>, addedUserIds?: number[], removedUserIds?: number[] }
  /** A frame for some users' sockets, e.g. `room_invited`. */
  | { kind: 'user_frame', userIds: number[], type: string, payload: Record<string, unknown> }
  /** A room was deleted: its sockets forget it. */
  | { kind: 'room_deleted', roomId: number, memberIds: number[] }
  /** Sessions ended (logout, reuse detected, password change): their sockets close. */
  | { kind: 'sessions_revoked', sessionIds: number[] }

type Listener = (event: DomainEvent) => void
const listeners = new Set<Listener>()

export function onDomainEvent(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Call after commit. A failing listener never fails the request that already committed. */
export function emit(event: DomainEvent): void {
  for (const listener of listeners) {
    try {
      listener(event)
    }
    catch (err) {
      console.error('domain event listener failed', (err as Error)?.message)
    }
  }
}
