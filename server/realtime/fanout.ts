/**
 * Turns committed domain events into frames and frames into socket writes. Who receives what is
 * decided here from the hub's maps, on every instance alike.
 */
import { onDomainEvent, type DomainEvent } from '../services/domain-events'
import { broadcast, onClusterMessage, type ClusterMessage } from './cluster'
import { hub } from './hub'
import { serializeFrame } from './frame'
import { wireFrame } from './wire-frame'
import { CLOSE_CODES } from '../../shared/protocol/frames'
import { setOnline } from '../services/presence-state'

function deliver(message: ClusterMessage, text: string): void {
  // Encoded once, header included, for all recipients.
  const frame = wireFrame(text)
  switch (message.t) {
    case 'room': {
      // New members hear the event that added them; removed ones hear their removal, then nothing.
      for (const userId of message.added ?? []) hub.addMember(message.roomId, userId)
      for (const conn of hub.socketsOfRoom(message.roomId)) conn.send(frame)
      for (const userId of message.removed ?? []) hub.removeMember(message.roomId, userId)
      break
    }
    case 'users':
      for (const userId of message.userIds) for (const conn of hub.socketsOfUser(userId)) conn.send(frame)
      break
    case 'members':
      for (const conn of hub.membersOfRooms(message.roomIds)) if (conn.userId !== message.exceptUserId) conn.send(frame)
      break
    case 'viewers':
      for (const conn of hub.viewersOfRoom(message.roomId)) if (conn.userId !== message.exceptUserId) conn.send(frame)
      break
    case 'room_deleted':
      for (const conn of hub.socketsOfRoom(message.roomId)) conn.send(frame)
      hub.forgetRoom(message.roomId)
      break
    case 'sessions_revoked':
      for (const sessionId of message.sessionIds) for (const conn of [...hub.socketsOfSession(sessionId)]) conn.close(CLOSE_CODES.SESSION_ENDED, 'session ended')
      break
    case 'presence':
      // Every instance keeps the same view of who is online; the frames go out as 'users' messages.
      setOnline(message.userId, message.online)
      break
  }
}

function fromDomainEvent(event: DomainEvent): void {
  switch (event.kind) {
    case 'room_event':
      broadcast({ t: 'room', roomId: event.roomId, added: event.addedUserIds, removed: event.removedUserIds }, serializeFrame(event.type, event.payload))
      break
    case 'user_frame':
      broadcast({ t: 'users', userIds: event.userIds }, serializeFrame(event.type, event.payload))
      break
    case 'room_deleted':
      broadcast({ t: 'room_deleted', roomId: event.roomId, memberIds: event.memberIds }, serializeFrame('room_deleted', { room_id: event.roomId }))
      break
    case 'sessions_revoked':
      broadcast({ t: 'sessions_revoked', sessionIds: event.sessionIds })
      break
  }
}

let started = false
export function startFanout(): void {
  if (started) return
  started = true
  onClusterMessage(deliver)
  onDomainEvent(fromDomainEvent)
}
