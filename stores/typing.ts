/** Who is typing where. Entries expire by themselves: a lost "stopped typing" frame must not stick. */
import { defineStore } from 'pinia'
import { without } from '~/utils/display'

export const TYPING_TTL_MS = 6000

export const useTypingStore = defineStore('typing', () => {
  const byRoom = ref<Record<number, Record<number, { username: string, until: number }>>>({})
  const now = ref(Date.now())
  let ticker: ReturnType<typeof setInterval> | undefined

  function set(roomId: number, userId: number, username: string, isTyping: boolean) {
    const room = without(byRoom.value[roomId] ?? {}, userId)
    if (isTyping) room[userId] = { username, until: Date.now() + TYPING_TTL_MS }
    byRoom.value[roomId] = room
    now.value = Date.now()
    if (import.meta.client && !ticker) ticker = setInterval(() => { now.value = Date.now() }, 1000)
  }

  /** A user's message arrived: they have stopped typing, whatever the last frame said. */
  function clearUser(roomId: number, userId: number) {
    if (byRoom.value[roomId]?.[userId]) set(roomId, userId, '', false)
  }

  function names(roomId: number): string[] {
    const room = byRoom.value[roomId] ?? {}
    return Object.values(room).filter(e => e.until > now.value).map(e => e.username)
  }

  function reset() {
    byRoom.value = {}
  }

  return { byRoom, set, clearUser, names, reset }
})
