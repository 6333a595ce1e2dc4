/**
 * Client frames -> domain services. Parses each frame against the protocol's union, checks rate
 * limits, and answers with the frame PROTOCOL.md names (echoing `request_id`) or an `error` frame.
 * No SQL and no business rules here: the services decide.
 */
import { clientPayloadSchemas, CLOSE_CODES, type ClientFrameType, type ClientPayload } from '../../shared/protocol/frames'
import { ERROR_CODES } from '../../shared/protocol/error-codes'
import { toAppError } from '../lib/errors/app-error'
import { errorFields, log } from '../lib/logger'
import { useConfig } from '../lib/config/env'
import { sendValidatedMessage, markRead } from '../services/messages'
import { memberCountFor, requireMember } from '../services/membership'
import { broadcast } from './cluster'
import { errorFrame, serializeFrame } from './frame'
import { hub } from './hub'
import { penalize } from './penalty'
import { track } from './inflight'
import { queueRead } from './read-queue'
import { allowUserSend } from '../lib/user-send-limit'
import { typingStarted, typingStopped } from './typing'
import type { Connection } from './connection'

type RequestId = string | number | undefined

/** Too many rate-limit refusals in this window and the socket is dropped as abusive. */
const STRIKE_WINDOW_MS = 10_000
const MAX_STRIKES = 50

function strike(conn: Connection): void {
  const now = Date.now()
  if (now - conn.strikeWindowStart > STRIKE_WINDOW_MS) {
    conn.strikeWindowStart = now
    conn.strikes = 0
  }
  if (++conn.strikes > MAX_STRIKES && !conn.closed) {
    penalize(conn.userId)
    conn.close(CLOSE_CODES.RATE_ABUSE, 'rate limit abuse')
  }
}

function rateLimited(conn: Connection, requestId: RequestId): void {
  conn.send(errorFrame(ERROR_CODES.RATE_LIMITED, 'Slow down: too many frames', requestId))
  strike(conn)
}

function fail(conn: Connection, err: unknown, requestId: RequestId): void {
  const appError = toAppError(err)
  if (appError.status >= 500) log.error('ws frame failed', errorFields(err))
  conn.send(errorFrame(appError.code, appError.message, requestId))
}

const notInRoom = (conn: Connection, requestId: RequestId) => conn.send(errorFrame(ERROR_CODES.NOT_FOUND, 'Room not found', requestId))

const handlers: { [T in ClientFrameType]: (conn: Connection, payload: ClientPayload<T>, requestId: RequestId) => Promise<void> | void } = {
  async send_message(conn, payload, requestId) {
    if (!conn.messageBucket.take() || !allowUserSend(conn.userId)) return rateLimited(conn, requestId)
    // The socket's room set is kept in step with membership events, so a non-member is refused
    // without a query; the service checks again inside its transaction.
    if (!conn.memberRooms.has(payload.room_id)) return notInRoom(conn, requestId)
    typingStopped(conn, payload.room_id)
    conn.acksAwaited++
    try {
      const { message } = await track(sendValidatedMessage(conn.userId, payload.room_id, payload.content, payload.client_msg_id ?? null))
      conn.send(serializeFrame('message_ack', { client_msg_id: message.client_msg_id, message }, requestId))
    }
    finally {
      conn.acksAwaited--
    }
  },

  async join_room(conn, payload, requestId) {
    if (!conn.joinBucket.take()) return rateLimited(conn, requestId)
    const roomId = payload.room_id
    const memberCount = await memberCountFor(roomId, conn.userId)
    hub.view(conn, roomId)
    conn.send(serializeFrame('room_joined', { room_id: roomId }, requestId))
    broadcast({ t: 'viewers', roomId, exceptUserId: conn.userId }, serializeFrame('user_joined', { room_id: roomId, user: conn.user, member_count: memberCount }))
  },

  async leave_room(conn, payload, requestId) {
    if (!conn.joinBucket.take()) return rateLimited(conn, requestId)
    await requireMember(payload.room_id, conn.userId)
    const wasViewing = conn.viewing.has(payload.room_id)
    hub.unview(conn, payload.room_id)
    typingStopped(conn, payload.room_id)
    conn.send(serializeFrame('room_left', { room_id: payload.room_id }, requestId))
    if (wasViewing && !hub.userViews(conn.userId, payload.room_id)) await announceLeft(conn, payload.room_id)
  },

  typing(conn, payload, requestId) {
    if (!conn.typingBucket.take()) return rateLimited(conn, requestId)
    if (!conn.memberRooms.has(payload.room_id)) return notInRoom(conn, requestId)
    if (payload.is_typing) typingStarted(conn, payload.room_id, conn.user.username)
    else typingStopped(conn, payload.room_id)
  },

  async mark_read(conn, payload, requestId) {
    if (!conn.memberRooms.has(payload.room_id)) return notInRoom(conn, requestId)
    await queueRead(conn, payload.room_id, { messageId: payload.message_id, requestId }, async (read) => {
      try {
        await track(markRead(conn.userId, payload.room_id, read.messageId))
      }
      catch (err) {
        fail(conn, err, read.requestId)
      }
    })
  },

  ping(conn, _payload, requestId) {
    conn.send(serializeFrame('pong', {}, requestId))
  },
}

/** `user_left` to the room's other viewers, with the current member count. */
export async function announceLeft(conn: Connection, roomId: number): Promise<void> {
  let memberCount: number | undefined
  try {
    memberCount = await memberCountFor(roomId, conn.userId)
  }
  catch { /* no longer a member: the count is still useful but not essential */ }
  broadcast({ t: 'viewers', roomId, exceptUserId: conn.userId }, serializeFrame('user_left', { room_id: roomId, user_id: conn.userId, username: conn.user.username, member_count: memberCount ?? null }))
}

function requestIdOf(value: unknown): RequestId {
  if (typeof value === 'string') return value.slice(0, 128)
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function parse(text: string): { type?: unknown, payload?: unknown, request_id?: unknown } | null {
  try {
    const value = JSON.parse(text)
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null
  }
  catch {
    return null
  }
}

/** Handles one text frame from a socket. Never throws: every failure becomes an `error` frame. */
export async function dispatch(conn: Connection, text: string, bytes = Buffer.byteLength(text)): Promise<void> {
  const tooBig = bytes > useConfig().limits.wsFrameBytes
  const frame = tooBig ? null : parse(text)
  const requestId = frame ? requestIdOf(frame.request_id) : undefined
  // Every frame takes a token, whatever its type or shape, so pings, joins (a query each) and
  // garbage are throttled like messages, and a flood ends in strikes and close 4029.
  if (!conn.frameBucket.take()) return rateLimited(conn, requestId)
  if (tooBig) return conn.send(errorFrame(ERROR_CODES.PAYLOAD_TOO_LARGE, `Frames are limited to ${useConfig().limits.wsFrameBytes} bytes`))
  if (!frame) return conn.send(errorFrame(ERROR_CODES.INVALID_FRAME, 'A frame must be one JSON object'))
  const type = frame.type
  if (typeof type !== 'string' || !Object.hasOwn(clientPayloadSchemas, type)) {
    return conn.send(errorFrame(ERROR_CODES.UNKNOWN_TYPE, `Unknown frame type${typeof type === 'string' ? ` "${type.slice(0, 40)}"` : ''}`, requestId))
  }
  const schema = clientPayloadSchemas[type as ClientFrameType]
  const parsed = schema.safeParse(frame.payload ?? {})
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    const where = first?.path.length ? `${first.path.join('.')}: ` : ''
    return conn.send(errorFrame(ERROR_CODES.VALIDATION_FAILED, `Invalid payload for ${type}: ${where}${first?.message ?? 'bad value'}`, requestId))
  }
  try {
    await (handlers[type as ClientFrameType] as (c: Connection, p: unknown, r: RequestId) => Promise<void> | void)(conn, parsed.data, requestId)
  }
  catch (err) {
    fail(conn, err, requestId)
  }
}
