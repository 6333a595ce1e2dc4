/**
 * The messages of one room keyed by `seq` (a message's seq is the seq of its `new_message` event),
 * so the same message arriving twice (live frame, ack, catch-up, history page) renders once, and the
 * order is the server's order whatever the arrival order was.
 */
import type { Message } from '../shared/protocol/objects'
import { insertSorted } from './seq-log'

export interface MessageLog {
  bySeq: Record<number, Message>
  order: number[]
}

export function emptyLog(): MessageLog {
  return { bySeq: {}, order: [] }
}

/** Adds or replaces messages; an older copy never overwrites a newer edit/delete of the same seq. */
export function upsertMessages(log: MessageLog, messages: readonly Message[]): MessageLog {
  let order = log.order
  const bySeq = { ...log.bySeq }
  for (const m of messages) {
    const prev = bySeq[m.seq]
    if (prev && (prev.is_deleted && !m.is_deleted)) continue
    bySeq[m.seq] = prev ? { ...prev, ...m } : m
    order = insertSorted(order, m.seq)
  }
  return { bySeq, order }
}

/** Marks a message deleted, wherever it is, by id (delete frames name the id and the original seq). */
export function markDeleted(log: MessageLog, id: number): MessageLog {
  const found = log.order.find(s => log.bySeq[s]!.id === id)
  if (found === undefined) return log
  const m = log.bySeq[found]!
  return { order: log.order, bySeq: { ...log.bySeq, [found]: { ...m, is_deleted: true, content: '' } } }
}

export function listMessages(log: MessageLog): Message[] {
  return log.order.map(s => log.bySeq[s]!)
}

export function oldestId(log: MessageLog): number | null {
  const first = log.order[0]
  return first === undefined ? null : log.bySeq[first]!.id
}
