/**
 * The tab's one WebSocket, owned here from connect to close: a fresh ws ticket for every connect (the
 * access token is refreshed first when needed), backoff with jitter after a loss, a heartbeat, and on
 * every (re)connect a resync — the room list re-read, every room caught up from its last seq — before
 * the outbox is flushed. Frames are dispatched to the stores through useRoomData.
 */
import type { Message, PublicUser, Room, RoomEventType, UserStatus } from '~/shared/protocol/objects'
import { backoffDelay } from '~/utils/backoff'
import { frameEventSeq } from '~/utils/seq-log'
import { isApiError } from '~/utils/api-error'

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'offline'

const ROOM_EVENT_TYPES = new Set<RoomEventType>(['new_message', 'message_updated', 'message_deleted', 'member_added', 'member_removed', 'member_updated', 'room_updated', 'read_updated'])
const HEARTBEAT_MS = 25_000
const PONG_TIMEOUT_MS = 10_000
const ACK_TIMEOUT_MS = 8000
const SESSION_ENDED = 4001

interface Frame { type: string, payload?: Record<string, unknown>, request_id?: string }

// Module state: one socket per tab, shared by every component that calls useRealtime().
const state = ref<ConnectionState>('idle')
let ws: WebSocket | null = null
let wanted = false
let attempt = 0
let reconnectTimer: ReturnType<typeof setTimeout> | undefined
let heartbeat: ReturnType<typeof setInterval> | undefined
let pongTimer: ReturnType<typeof setTimeout> | undefined
let joinedRoom: number | null = null
let listenersAdded = false
/** A ticket is being fetched: a second trigger (online event, timer) must not open a second socket. */
let connecting = false

export function useRealtime() {
  const api = useApi()
  const auth = useAuthStore()
  const rooms = useRoomsStore()
  const messages = useMessagesStore()
  const outbox = useOutboxStore()
  const presence = usePresenceStore()
  const typing = useTypingStore()
  const toasts = useToastsStore()
  const data = useRoomData()
  const { t } = useI18n()

  function send(type: string, payload: Record<string, unknown>, requestId?: string): boolean {
    if (!ws || ws.readyState !== WebSocket.OPEN || state.value !== 'open') return false
    ws.send(JSON.stringify({ type, payload, timestamp: new Date().toISOString(), ...(requestId ? { request_id: requestId } : {}) }))
    return true
  }

  /**
   * Without a socket (it is reconnecting, or a proxy blocks WebSockets) messages still go out over
   * REST, one at a time to keep their order; `client_msg_id` makes a later resend harmless.
   */
  let restFlushing = false
  async function flushViaRest(force = false) {
    if (restFlushing) return
    restFlushing = true
    try {
      for (let batch = outbox.takeSendable(); batch.length; batch = outbox.takeSendable()) for (const item of batch) {
        if (state.value === 'open' && !force) {
          outbox.requeueInFlight()
          return flushOutbox()
        }
        try {
          const m = await api.post<Message>(`/rooms/${item.room_id}/messages`, { content: item.content, client_msg_id: item.client_msg_id })
          outbox.confirm(item.client_msg_id)
          if (messages.loaded[m.room_id]) messages.upsert(m.room_id, [m])
          rooms.notePreview(m)
        }
        catch (e) {
          if (isApiError(e) && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 429) outbox.fail(item.client_msg_id, e.code)
          else {
            outbox.requeueInFlight()
            if (isApiError(e, 'RATE_LIMITED')) setTimeout(flushOutbox, 2000)
            return
          }
        }
      }
    }
    finally {
      restFlushing = false
    }
  }

  function flushOutbox() {
    if (state.value !== 'open') {
      if (navigator.onLine !== false && wanted) void flushViaRest()
      return
    }
    const sent: string[] = []
    for (const item of outbox.takeSendable()) {
      if (!send('send_message', { room_id: item.room_id, content: item.content, client_msg_id: item.client_msg_id }, item.client_msg_id)) {
        outbox.requeueInFlight()
        return
      }
      sent.push(item.client_msg_id)
    }
    if (sent.length) {
      // No ack in time: the socket may be silently dead. Deliver over REST (same ids, so no duplicates).
      setTimeout(() => {
        if (outbox.items.some(i => sent.includes(i.client_msg_id) && i.state === 'sending')) {
          outbox.requeueInFlight()
          void flushViaRest(true)
        }
      }, ACK_TIMEOUT_MS)
    }
  }

  function handle(frame: Frame) {
    const p = frame.payload ?? {}
    if (ROOM_EVENT_TYPES.has(frame.type as RoomEventType)) {
      // room_updated carries the room itself, so its id is `id`; every other room frame has `room_id`.
      const roomId = Number(p.room_id ?? (frame.type === 'room_updated' ? p.id : undefined))
      const seq = frameEventSeq(p)
      if (!roomId || !seq) return
      if (frame.type === 'new_message' && outbox.confirm((p as unknown as Message).client_msg_id)) queueMicrotask(flushOutbox)
      data.roomSync().ingest(roomId, seq, frame.type as RoomEventType, p)
      return
    }
    switch (frame.type) {
      case 'message_ack': {
        const m = p.message as Message | undefined
        if (outbox.confirm(p.client_msg_id as string)) queueMicrotask(flushOutbox)
        if (m) {
          if (messages.loaded[m.room_id]) messages.upsert(m.room_id, [m])
          rooms.notePreview(m)
        }
        break
      }
      case 'room_invited': {
        const room = p.room as Room
        const inviter = p.inviter as PublicUser | undefined
        if (!room?.id) break
        rooms.adopt(room)
        presence.seed(room.peer ?? null)
        toasts.show(t('room.invited', { inviter: inviter?.username ?? '?', room: room.name }), { to: `/rooms/${room.id}` })
        break
      }
      case 'room_deleted':
        if (rooms.byId[Number(p.room_id)]) data.leftRoom(Number(p.room_id), 'deleted')
        break
      case 'presence_update':
        presence.set(Number(p.user_id), { status: p.status as UserStatus, last_seen_at: (p.last_seen_at as string | null) ?? null })
        break
      case 'user_typing':
        if (Number(p.user_id) !== auth.user?.id) typing.set(Number(p.room_id), Number(p.user_id), String(p.username ?? ''), !!p.is_typing)
        break
      case 'error': {
        // A send_message we made failed for good (validation, not a member...): show it as failed.
        const id = frame.request_id ?? (p.request_id as string | undefined)
        if (id && outbox.items.some(i => i.client_msg_id === id)) {
          // Too fast is not a failure: wait a moment and send it again (same id, so at most once).
          if (p.code === 'RATE_LIMITED') {
            outbox.requeueInFlight()
            setTimeout(flushOutbox, 1000)
            break
          }
          outbox.fail(id, String(p.code ?? 'ERROR'))
          queueMicrotask(flushOutbox)
        }
        break
      }
      case 'pong':
        clearTimeout(pongTimer)
        break
    }
  }

  async function connect() {
    clearTimeout(reconnectTimer)
    if (!wanted || ws || connecting) return
    state.value = navigator.onLine === false ? 'offline' : 'connecting'
    let ticket: string
    connecting = true
    try {
      // freshToken refreshes an access token about to expire; the ticket itself lives 30 s.
      if (!await auth.freshToken()) {
        if (!auth.isLoggedIn) return stop()
        throw new Error('no token')
      }
      ticket = (await api.post<{ ticket: string }>('/auth/ws-ticket')).ticket
    }
    catch {
      if (!auth.isLoggedIn) return stop()
      return scheduleReconnect()
    }
    finally {
      connecting = false
    }
    if (!wanted || ws) return
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:'
    const socket = new WebSocket(`${proto}//${location.host}/ws?ticket=${encodeURIComponent(ticket)}`)
    ws = socket
    socket.onopen = () => {
      if (ws !== socket) return
      attempt = 0
      state.value = 'open'
      startHeartbeat()
      joinedRoom = null
      syncJoin()
      void resync()
    }
    socket.onmessage = (ev) => {
      if (ws !== socket) return
      let frame: Frame
      try {
        frame = JSON.parse(String(ev.data))
      }
      catch {
        return
      }
      if (frame && typeof frame.type === 'string') handle(frame)
    }
    socket.onclose = (ev) => {
      if (ws !== socket) return
      // 4001: this session was ended (logout elsewhere, password change): back to the login page.
      if (ev.code === SESSION_ENDED) {
        ws = null
        stop()
        auth.markExpired()
        return
      }
      lost()
    }
  }

  /** After every connect: the room list again, every room caught up, then the outbox delivered. */
  async function resync() {
    try {
      await data.loadRooms()
    }
    catch { /* the socket is up; the list is retried on the next reconnect */ }
    flushOutbox()
  }

  function lost() {
    ws = null
    joinedRoom = null
    stopHeartbeat()
    outbox.requeueInFlight()
    if (!wanted) return
    state.value = navigator.onLine === false ? 'offline' : 'connecting'
    scheduleReconnect()
  }

  function scheduleReconnect() {
    clearTimeout(reconnectTimer)
    if (!wanted) return
    if (navigator.onLine === false) {
      state.value = 'offline'
      return // the `online` event reconnects
    }
    reconnectTimer = setTimeout(() => { void connect() }, backoffDelay(attempt++))
  }

  function startHeartbeat() {
    stopHeartbeat()
    heartbeat = setInterval(() => {
      if (!send('ping', {})) return
      clearTimeout(pongTimer)
      pongTimer = setTimeout(() => ws?.close(4000, 'heartbeat timeout'), PONG_TIMEOUT_MS)
    }, HEARTBEAT_MS)
  }

  function stopHeartbeat() {
    clearInterval(heartbeat)
    clearTimeout(pongTimer)
  }

  /** Tells the server which room this tab is viewing (typing and viewer frames depend on it). */
  function syncJoin() {
    const want = rooms.activeRoomId
    if (want === joinedRoom) return
    if (joinedRoom !== null) send('leave_room', { room_id: joinedRoom })
    if (want !== null && send('join_room', { room_id: want })) joinedRoom = want
    else joinedRoom = null
  }

  function onOnline() {
    attempt = 0
    if (wanted && !ws) void connect()
  }

  function onOffline() {
    // Browsers may keep a dead socket "open" for a long time: drop it now and show the offline state.
    state.value = 'offline'
    const socket = ws
    if (socket) {
      ws = null
      socket.close()
      lost()
    }
  }

  function start() {
    if (import.meta.server) return
    wanted = true
    if (!listenersAdded) {
      listenersAdded = true
      window.addEventListener('online', onOnline)
      window.addEventListener('offline', onOffline)
      data.setReadSender((roomId, messageId) => send('mark_read', { room_id: roomId, message_id: messageId }))
    }
    void connect()
  }

  function stop() {
    wanted = false
    clearTimeout(reconnectTimer)
    stopHeartbeat()
    const socket = ws
    ws = null
    socket?.close(1000, 'logout')
    state.value = 'idle'
  }

  /** Writes a message: shown as pending at once, delivered now or after the next reconnect. */
  function sendMessage(roomId: number, content: string) {
    outbox.add(roomId, content)
    flushOutbox()
  }

  function retry(clientMsgId: string) {
    outbox.retry(clientMsgId)
    flushOutbox()
  }

  return { state, start, stop, send, sendMessage, retry, syncJoin, flushOutbox }
}
