// The Node ceiling: the least a broadcast server on this machine can do for the bench's traffic.
// In-memory rooms, no auth, no database, plain `ws`; it speaks the Mmessenger frames the load
// generator uses (join_room, send_message -> new_message to the whole room + message_ack, ping),
// with payloads of the same shape and size, and serializes every message once.
//
// Usage: node bench/ceiling-server.mjs [--port 0] [--host 127.0.0.1]
// Prints one line `LISTENING <port>` on stdout when it accepts connections.
import { WebSocketServer } from 'ws'

const args = process.argv.slice(2)
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback
}

/** room id -> Set of sockets that joined it */
const rooms = new Map()
/** room id -> last seq, so frames carry the same gap-free counter Mmessenger's do */
const roomSeq = new Map()
let nextMessageId = 1
let nextUserId = 1
const createdAt = new Date().toISOString()

const wss = new WebSocketServer({
  host: arg('host', '127.0.0.1'),
  port: Number(arg('port', 0)),
  // Mmessenger's limit; ws already defaults to no compression on the server side.
  maxPayload: 64 * 1024,
  clientTracking: false,
})

/** Encodes once; ws sends the same Buffer to every socket without copying it again. */
const frame = obj => Buffer.from(JSON.stringify(obj))
// A Buffer would go out as a binary frame by default; Mmessenger sends text frames.
const TEXT = { binary: false }
const send = (ws, buf) => ws.send(buf, TEXT)

function sendError(ws, code, message, requestId) {
  send(ws, frame({ type: 'error', payload: { code, message, request_id: requestId ?? null }, timestamp: new Date().toISOString(), request_id: requestId }))
}

function onSend(ws, payload, requestId) {
  const roomId = payload?.room_id
  const members = rooms.get(roomId)
  if (!members || !members.has(ws)) return sendError(ws, 'NOT_FOUND', 'Room not found', requestId)
  if (typeof payload.content !== 'string' || payload.content.length === 0) return sendError(ws, 'VALIDATION_FAILED', 'content is required', requestId)
  const seq = (roomSeq.get(roomId) ?? 0) + 1
  roomSeq.set(roomId, seq)
  const now = new Date().toISOString()
  const message = {
    id: nextMessageId++,
    room_id: roomId,
    seq,
    sender: ws.user,
    content: payload.content,
    message_type: 'text',
    client_msg_id: payload.client_msg_id ?? null,
    is_edited: false,
    is_deleted: false,
    created_at: now,
  }
  const messageJson = JSON.stringify(message)
  const delivery = Buffer.from(`{"type":"new_message","payload":${messageJson},"timestamp":"${now}"}`)
  for (const peer of members) peer.send(delivery, TEXT)
  // The ack embeds the already serialized message instead of encoding it a second time.
  const rid = requestId === undefined ? '' : `,"request_id":${JSON.stringify(requestId)}`
  send(ws, Buffer.from(`{"type":"message_ack","payload":{"client_msg_id":${JSON.stringify(message.client_msg_id)},"message":${messageJson}},"timestamp":"${now}"${rid}}`))
}

function onJoin(ws, payload, requestId) {
  const roomId = payload?.room_id
  if (!Number.isSafeInteger(roomId) || roomId <= 0) return sendError(ws, 'VALIDATION_FAILED', 'room_id must be a positive integer', requestId)
  let members = rooms.get(roomId)
  if (!members) rooms.set(roomId, members = new Set())
  members.add(ws)
  ws.joined.add(roomId)
  send(ws, frame({ type: 'room_joined', payload: { room_id: roomId }, timestamp: new Date().toISOString(), request_id: requestId }))
}

function onLeave(ws, roomId) {
  const members = rooms.get(roomId)
  if (!members) return
  members.delete(ws)
  if (members.size === 0) rooms.delete(roomId)
}

wss.on('connection', (ws) => {
  const id = nextUserId++
  ws.user = { id, username: `user${id}`, avatar_url: null, status: 'online', last_seen_at: null, created_at: createdAt }
  ws.joined = new Set()
  ws.on('message', (data, isBinary) => {
    let msg
    try {
      msg = JSON.parse(isBinary ? data : data.toString())
    }
    catch {
      return sendError(ws, 'BAD_FRAME', 'Frame is not JSON')
    }
    switch (msg?.type) {
      case 'send_message': return onSend(ws, msg.payload, msg.request_id)
      case 'join_room': return onJoin(ws, msg.payload, msg.request_id)
      case 'leave_room':
        onLeave(ws, msg.payload?.room_id)
        ws.joined.delete(msg.payload?.room_id)
        return send(ws, frame({ type: 'room_left', payload: { room_id: msg.payload?.room_id }, timestamp: new Date().toISOString(), request_id: msg.request_id }))
      case 'ping': return send(ws, frame({ type: 'pong', payload: {}, timestamp: new Date().toISOString(), request_id: msg.request_id }))
      default: return sendError(ws, 'UNKNOWN_TYPE', 'Unknown frame type', msg?.request_id)
    }
  })
  ws.on('close', () => {
    for (const roomId of ws.joined) onLeave(ws, roomId)
  })
  ws.on('error', () => { /* the close event cleans up */ })
})

wss.on('listening', () => {
  process.stdout.write(`LISTENING ${wss.address().port}\n`)
})

// Exit through process.exit so `node --cpu-prof` writes its profile.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0))
