/** Sends `typing` while the user types: at most every 3 s, and `false` after 4 s idle or on send. */
const REPEAT_MS = 3000
const IDLE_MS = 4000

export function useTypingSender(roomId: () => number) {
  const rt = useRealtime()
  let lastSent = 0
  let typingRoom: number | null = null
  let idle: ReturnType<typeof setTimeout> | undefined

  function typed() {
    const id = roomId()
    const now = Date.now()
    if (typingRoom !== id || now - lastSent > REPEAT_MS) {
      if (typingRoom !== null && typingRoom !== id) stopped()
      if (rt.send('typing', { room_id: id, is_typing: true })) {
        lastSent = now
        typingRoom = id
      }
    }
    clearTimeout(idle)
    idle = setTimeout(stopped, IDLE_MS)
  }

  function stopped() {
    clearTimeout(idle)
    if (typingRoom === null) return
    rt.send('typing', { room_id: typingRoom, is_typing: false })
    typingRoom = null
    lastSent = 0
  }

  onBeforeUnmount(stopped)
  return { typed, stopped }
}
