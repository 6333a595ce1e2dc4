/**
 * The rooms you are in, their members, and for each room the last event `seq` this tab has applied
 * (the point a catch-up resumes from).
 */
import { defineStore } from 'pinia'
import { without } from '~/utils/display'
import type { Member, Message, PublicUser, Room } from '~/shared/protocol/objects'

function activityOf(room: Room): number {
  return new Date(room.last_message?.created_at ?? room.created_at).getTime()
}

export const useRoomsStore = defineStore('rooms', () => {
  const byId = ref<Record<number, Room>>({})
  const lastSeq = ref<Record<number, number>>({})
  const members = ref<Record<number, Member[]>>({})
  const loaded = ref(false)
  const activeRoomId = ref<number | null>(null)

  const sorted = computed(() => Object.values(byId.value).sort((a, b) => activityOf(b) - activityOf(a) || b.id - a.id))
  const unreadTotal = computed(() => Object.values(byId.value).reduce((n, r) => n + (r.unread_count || 0), 0))
  const active = computed(() => (activeRoomId.value ? byId.value[activeRoomId.value] ?? null : null))

  /**
   * Adopts the server's copy. Returns the seq this tab had applied before (to catch up from).
   * A copy older than what this tab already applied is dropped: a room list read just before a
   * message, answered after that message's live frame, would otherwise take its preview and unread
   * count away again.
   */
  function adopt(room: Room, options: { keepSeq?: boolean } = {}): number | undefined {
    const had = lastSeq.value[room.id]
    if (had !== undefined && room.last_seq < had) return had
    byId.value[room.id] = { ...byId.value[room.id], ...room }
    if (!options.keepSeq || had === undefined) lastSeq.value[room.id] = room.last_seq ?? 0
    return had
  }

  function patch(roomId: number, fields: Partial<Room>) {
    const room = byId.value[roomId]
    if (room) byId.value[roomId] = { ...room, ...fields }
  }

  function remove(roomId: number) {
    byId.value = without(byId.value, roomId)
    lastSeq.value = without(lastSeq.value, roomId)
    members.value = without(members.value, roomId)
  }

  function setSeq(roomId: number, seq: number) {
    if (seq > (lastSeq.value[roomId] ?? 0)) lastSeq.value[roomId] = seq
  }

  /** A message became the room's latest (or an edit/delete changed the latest). */
  function notePreview(message: Message) {
    const room = byId.value[message.room_id]
    if (!room) return
    const current = room.last_message
    if (!current || current.seq <= message.seq) patch(room.id, { last_message: message })
  }

  function setMembers(roomId: number, list: Member[]) {
    members.value[roomId] = list
  }

  function addMember(roomId: number, user: PublicUser, role: Member['role'], memberCount?: number) {
    const list = members.value[roomId]
    if (list && !list.some(m => m.user.id === user.id)) members.value[roomId] = [...list, { user, role, joined_at: new Date().toISOString() }]
    if (memberCount !== undefined) patch(roomId, { member_count: memberCount })
  }

  function removeMember(roomId: number, userId: number, memberCount?: number) {
    const list = members.value[roomId]
    if (list) members.value[roomId] = list.filter(m => m.user.id !== userId)
    if (memberCount !== undefined) patch(roomId, { member_count: memberCount })
  }

  function reset() {
    byId.value = {}
    lastSeq.value = {}
    members.value = {}
    loaded.value = false
    activeRoomId.value = null
  }

  return { byId, lastSeq, members, loaded, activeRoomId, sorted, unreadTotal, active, adopt, patch, remove, setSeq, notePreview, setMembers, addMember, removeMember, reset }
})
