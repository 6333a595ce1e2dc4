/**
 * Typing indicators: forwarded to the room's other viewers at most about once a second per typist,
 * and an `is_typing: false` when the typist stops, goes quiet for ~6 s, or disconnects.
 */
import { broadcast } from './cluster'
import { serializeFrame } from './frame'
import type { Connection } from './connection'

export const TYPING_THROTTLE_MS = 1000
export const TYPING_EXPIRY_MS = 6000

interface TypingState {
  lastSentAt: number
  timer: NodeJS.Timeout
  username: string
}

const states = new Map<string, TypingState>()
const key = (roomId: number, userId: number) => `${roomId}:${userId}`

function send(roomId: number, userId: number, username: string, isTyping: boolean) {
  broadcast({ t: 'viewers', roomId, exceptUserId: userId }, serializeFrame('user_typing', { room_id: roomId, user_id: userId, username, is_typing: isTyping }))
}

export function typingStarted(conn: Connection, roomId: number, username: string, now = Date.now()): void {
  const k = key(roomId, conn.userId)
  const state = states.get(k)
  ;(conn.typingIn ??= new Set()).add(roomId)
  if (state) {
    clearTimeout(state.timer)
    state.timer = setTimeout(() => typingStopped(conn, roomId), TYPING_EXPIRY_MS)
    if (now - state.lastSentAt < TYPING_THROTTLE_MS) return
    state.lastSentAt = now
  }
  else {
    states.set(k, { lastSentAt: now, username, timer: setTimeout(() => typingStopped(conn, roomId), TYPING_EXPIRY_MS) })
  }
  send(roomId, conn.userId, username, true)
}

/** Sends `is_typing: false` if the user was shown as typing; otherwise does nothing. */
export function typingStopped(conn: Connection, roomId: number): void {
  conn.typingIn?.delete(roomId)
  const k = key(roomId, conn.userId)
  const state = states.get(k)
  if (!state) return
  clearTimeout(state.timer)
  states.delete(k)
  send(roomId, conn.userId, state.username, false)
}

export function connectionGone(conn: Connection): void {
  for (const roomId of [...conn.typingIn ?? []]) typingStopped(conn, roomId)
}
