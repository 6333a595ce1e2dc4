/**
 * Loading rooms, members and messages over REST, and applying room events (live or caught up) to the
 * stores. The one place that knows what each event type does to client state.
 */
import type { Member, Message, PublicUser, Room, RoomEvent, RoomEventType } from '~/shared/protocol/objects'
import { createRoomSync } from '~/utils/room-sync'
import { isApiError } from '~/utils/api-error'
import { roomTitle } from '~/utils/display'

const PAGE = 50
let sync: ReturnType<typeof createRoomSync> | null = null
/** Called for live messages in rooms not in view (browser notifications). */
let onForeignMessage: ((m: Message) => void) | null = null
/** Sends mark_read over the socket; false when the socket is down. */
let readSender: ((roomId: number, messageId: number) => boolean) | null = null
/** Per room, how many membership events this tab has applied: a member list read meanwhile is stale. */
const memberEventCount = new Map<number, number>()
/** Tries before a member list read while members keep changing is shown as it is. */
const MEMBER_LIST_TRIES = 3

export function useRoomData() {
  const api = useApi()
  const auth = useAuthStore()
  const rooms = useRoomsStore()
  const messages = useMessagesStore()
  const outbox = useOutboxStore()
  const presence = usePresenceStore()
  const typing = useTypingStore()
  const toasts = useToastsStore()
  const { t } = useI18n()
  const router = useRouter()

  /** True while the user can actually see the newest messages of this room. */
  function isViewing(roomId: number): boolean {
    return rooms.activeRoomId === roomId && import.meta.client && document.visibilityState === 'visible'
  }

  function seedPeople(room: Room) {
    presence.seed(room.peer ?? null)
    presence.seed(room.last_message?.sender ?? null)
  }

  /** The room is gone for us (removed, left elsewhere, or deleted): drop it and say why. */
  function leftRoom(roomId: number, why: 'removed' | 'deleted' = 'removed') {
    const room = rooms.byId[roomId]
    const name = room ? roomTitle(room) : ''
    rooms.remove(roomId)
    messages.forget(roomId)
    outbox.dropRoom(roomId)
    if (name) toasts.show(t(why === 'deleted' ? 'room.deleted' : 'room.removed', { room: name }))
    if (import.meta.client && router.currentRoute.value.params.id === String(roomId)) void navigateTo('/')
  }

  function apply(roomId: number, type: RoomEventType, payload: Record<string, unknown>, live: boolean) {
    const me = auth.user?.id ?? null
    if (type === 'member_added' || type === 'member_updated' || type === 'member_removed') memberEventCount.set(roomId, (memberEventCount.get(roomId) ?? 0) + 1)
    switch (type) {
      case 'new_message': {
        const m = payload as unknown as Message
        outbox.confirm(m.client_msg_id)
        if (messages.loaded[roomId]) messages.upsert(roomId, [m])
        rooms.notePreview(m)
        if (m.sender) {
          typing.clearUser(roomId, m.sender.id)
          presence.seed(m.sender)
        }
        if (live && m.sender && m.sender.id !== me) {
          if (isViewing(roomId)) markRead(roomId, m.id)
          else {
            rooms.patch(roomId, { unread_count: (rooms.byId[roomId]?.unread_count ?? 0) + 1 })
            onForeignMessage?.(m)
          }
        }
        break
      }
      case 'message_updated': {
        const m = payload as unknown as Message
        if (messages.loaded[roomId]) messages.upsert(roomId, [m])
        if (rooms.byId[roomId]?.last_message?.id === m.id) rooms.notePreview(m)
        break
      }
      case 'message_deleted': {
        const id = Number(payload.id)
        messages.deleteById(roomId, id)
        const last = rooms.byId[roomId]?.last_message
        if (last?.id === id) rooms.patch(roomId, { last_message: { ...last, is_deleted: true, content: '' } })
        break
      }
      case 'member_added': {
        const user = payload.user as PublicUser
        presence.seed(user)
        rooms.addMember(roomId, user, (payload.role as Member['role']) ?? 'member', payload.member_count as number | undefined)
        break
      }
      case 'member_updated': {
        const user = payload.user as PublicUser
        const role = payload.role as Member['role']
        const list = rooms.members[roomId]
        if (list) rooms.setMembers(roomId, list.map(m => (m.user.id === user.id ? { ...m, role } : m)))
        if (user.id === me) rooms.patch(roomId, { my_role: role })
        break
      }
      case 'member_removed': {
        const userId = Number(payload.user_id)
        if (userId === me) leftRoom(roomId)
        else rooms.removeMember(roomId, userId, payload.member_count as number | undefined)
        break
      }
      case 'room_updated': {
        const r = payload as Partial<Room>
        const fields: Partial<Room> = {}
        for (const k of ['name', 'description', 'avatar_url', 'max_members', 'member_count', 'owner_id'] as const) {
          if (k in r) (fields as Record<string, unknown>)[k] = r[k]
        }
        rooms.patch(roomId, fields)
        break
      }
      case 'read_updated':
        if (Number(payload.user_id) === me) rooms.patch(roomId, { unread_count: 0 })
        break
    }
  }

  function roomSync() {
    sync ??= createRoomSync({
      getSeq: id => rooms.lastSeq[id],
      setSeq: (id, seq) => rooms.setSeq(id, seq),
      fetchEvents: async (id, afterSeq, limit) => {
        try {
          return await api.get<RoomEvent[]>(`/rooms/${id}/events`, { after_seq: afterSeq, limit })
        }
        catch (e) {
          if (isApiError(e) && e.status === 404) {
            leftRoom(id)
            return []
          }
          throw e
        }
      },
      apply,
      resync: async (id) => {
        messages.forget(id)
        const room = await api.get<Room>(`/rooms/${id}`)
        rooms.adopt(room)
        if (rooms.activeRoomId === id) await loadLatest(id)
        return room.last_seq
      },
      unknownRoom: id => void loadRoom(id),
      afterGap: (id) => {
        void loadRoom(id).then(() => {
          const last = messages.list(id).at(-1)
          if (last && isViewing(id)) markRead(id, last.id)
        })
      },
    })
    return sync
  }

  async function loadRoom(roomId: number): Promise<Room | null> {
    try {
      const room = await api.get<Room>(`/rooms/${roomId}`)
      rooms.adopt(room, { keepSeq: true })
      seedPeople(room)
      return room
    }
    catch (e) {
      if (isApiError(e) && e.status === 404) rooms.remove(roomId)
      return null
    }
  }

  /**
   * Re-reads the room list (rooms you were invited to while away appear, rooms you lost go) and
   * catches every room up from the seq this tab had applied.
   */
  async function loadRooms() {
    const list = await api.get<Room[]>('/rooms')
    const seen = new Set(list.map(r => r.id))
    for (const id of Object.keys(rooms.byId).map(Number)) {
      if (!seen.has(id)) {
        rooms.remove(id)
        messages.forget(id)
      }
    }
    const behind: number[] = []
    for (const room of list) {
      const had = rooms.lastSeq[room.id]
      // A room whose messages are not loaded needs nothing but the server's summary.
      const keep = messages.loaded[room.id] === true
      rooms.adopt(room, { keepSeq: keep })
      seedPeople(room)
      if (keep && had !== undefined && room.last_seq > had) behind.push(room.id)
    }
    rooms.loaded = true
    await Promise.all(behind.map(id => roomSync().catchUp(id).catch(() => {})))
  }

  async function loadLatest(roomId: number) {
    const from = rooms.lastSeq[roomId] ?? 0
    const list = await api.get<Message[]>(`/rooms/${roomId}/messages`, { limit: PAGE })
    messages.upsert(roomId, list)
    messages.loaded[roomId] = true
    messages.reachedStart[roomId] = list.length < PAGE
    for (const m of list) outbox.confirm(m.client_msg_id)
    // Frames that arrived while the page was in flight were applied before this log existed (an edit
    // newer than the page would be lost): replay them into it. Applying an event twice is harmless.
    const upTo = rooms.lastSeq[roomId] ?? 0
    if (upTo > from) {
      const events = await api.get<RoomEvent[]>(`/rooms/${roomId}/events`, { after_seq: from, limit: Math.min(500, upTo - from) })
      for (const ev of events) if (ev.seq <= upTo) apply(roomId, ev.type, ev.payload, false)
    }
  }

  /** One page of older history. False when the start of the room is reached. */
  async function loadOlder(roomId: number): Promise<boolean> {
    if (messages.reachedStart[roomId]) return false
    const first = messages.list(roomId)[0]
    if (!first) {
      messages.reachedStart[roomId] = true
      return false
    }
    const list = await api.get<Message[]>(`/rooms/${roomId}/messages`, { limit: PAGE, before: first.id })
    messages.upsert(roomId, list)
    if (list.length < PAGE) messages.reachedStart[roomId] = true
    return list.length > 0
  }

  /**
   * The room's member list. A membership event applied while the list was in flight may be missing
   * from it (the list was read before that change): then it is read again.
   */
  async function loadMembers(roomId: number) {
    for (let attempt = 1; ; attempt++) {
      const applied = memberEventCount.get(roomId) ?? 0
      const list = await api.get<Member[]>(`/rooms/${roomId}/members`)
      if ((memberEventCount.get(roomId) ?? 0) !== applied && attempt < MEMBER_LIST_TRIES) continue
      for (const m of list) presence.seed(m.user)
      rooms.setMembers(roomId, list)
      return
    }
  }

  /** Reads are sent over the socket when it is up, else over REST; they only move forward. */
  function markRead(roomId: number, messageId: number) {
    rooms.patch(roomId, { unread_count: 0 })
    if (readSender?.(roomId, messageId)) return
    void api.post(`/rooms/${roomId}/read`, { message_id: messageId }).catch(() => {})
  }

  /** The session ended: nothing of this user may remain for whoever logs in next in this tab. */
  function resetClientState() {
    rooms.reset()
    messages.reset()
    presence.reset()
    typing.reset()
    outbox.reset()
    memberEventCount.clear()
  }

  return {
    resetClientState,
    roomSync,
    apply,
    loadRooms,
    loadRoom,
    loadLatest,
    loadOlder,
    loadMembers,
    markRead,
    isViewing,
    leftRoom,
    setReadSender: (fn: typeof readSender) => { readSender = fn },
    setForeignMessageHandler: (fn: typeof onForeignMessage) => { onForeignMessage = fn },
  }
}
