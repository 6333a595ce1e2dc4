/**
 * Turns a room's messages into what the list renders: a day separator whenever the local date changes,
 * consecutive messages of one sender within a few minutes grouped under one name, and a "new messages"
 * divider before the first unread one.
 */
import type { Message } from '../shared/protocol/objects'

export const GROUP_GAP_MS = 5 * 60 * 1000

export type ListRow =
  | { kind: 'day', key: string, date: string }
  | { kind: 'unread', key: string }
  | { kind: 'message', key: string, message: Message, first: boolean }

/** A calendar day in the given time zone, as YYYY-MM-DD (stable to compare, independent of locale). */
export function dayKey(iso: string, timeZone?: string): string {
  const d = new Date(iso)
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(d)
  const get = (t: string) => parts.find(p => p.type === t)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}

export function groupMessages(messages: readonly Message[], options: { firstUnreadSeq?: number | null, timeZone?: string } = {}): ListRow[] {
  const rows: ListRow[] = []
  let prev: Message | null = null
  let prevDay = ''
  let dividerPlaced = false
  for (const m of messages) {
    const day = dayKey(m.created_at, options.timeZone)
    let newDay = false
    if (day !== prevDay) {
      rows.push({ kind: 'day', key: `day-${day}`, date: m.created_at })
      prevDay = day
      newDay = true
    }
    let divider = false
    if (!dividerPlaced && options.firstUnreadSeq != null && m.seq >= options.firstUnreadSeq) {
      rows.push({ kind: 'unread', key: 'unread' })
      dividerPlaced = true
      divider = true
    }
    const first = newDay || divider || !prev || m.message_type === 'system' || prev.message_type === 'system'
      || prev.sender?.id !== m.sender?.id
      || new Date(m.created_at).getTime() - new Date(prev.created_at).getTime() > GROUP_GAP_MS
    rows.push({ kind: 'message', key: `m-${m.seq}`, message: m, first })
    prev = m
  }
  return rows
}

/**
 * Where the "new messages" divider goes: before the `unreadCount`-th newest message from someone else.
 * Returns that message's seq, or null when nothing is unread.
 */
export function firstUnreadSeq(messages: readonly Message[], unreadCount: number, myId: number | null): number | null {
  if (unreadCount <= 0) return null
  let left = unreadCount
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!
    if (m.sender?.id === myId) continue
    left--
    if (left === 0) return m.seq
  }
  return messages.length ? messages[0]!.seq : null
}
