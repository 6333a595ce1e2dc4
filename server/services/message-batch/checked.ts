/**
 * Stores a batch of sends in two round trips, checking everything before writing: the rooms
 * (locked, ascending ids), each sender's membership, and which client_msg_ids are stored already.
 * Slower than the one-trip path, but it answers repeats and non-members one by one, so the writer
 * uses it when the optimistic path failed.
 */
import type { RowDataPacket } from 'mysql2'
import { notFound } from '../../lib/errors/app-error'
import type { Message } from '../../../shared/protocol/objects'
import type { UserRow } from '../presenters'
import { toMessage } from '../room-presenters'
import type { Outcome, SendRequest } from './types'
import { inWriterTransaction, type WriterConnection } from './writer-connection'
import { insertNewMessages, type NewMessage } from './insert-new'

const pairKey = (roomId: number, userId: number) => `${roomId}:${userId}`
const idemKey = (roomId: number, userId: number, clientMsgId: string) => `${roomId}:${userId}:${clientMsgId}`

export function storeBatchChecked(batch: SendRequest[]): Promise<Outcome[]> {
  return inWriterTransaction(conn => storeChecked(conn, batch))
}

async function storeChecked(conn: WriterConnection, batch: SendRequest[]): Promise<Outcome[]> {
  const roomIds = [...new Set(batch.map(b => b.roomId))].sort((a, b) => a - b)
  const pairs = [...new Map(batch.map(b => [pairKey(b.roomId, b.userId), [b.roomId, b.userId]])).values()]
  const keyed = batch.filter(b => b.clientMsgId)
  const results = await conn.query(
    'START TRANSACTION;'
    + ' SELECT id, last_seq FROM rooms WHERE id IN (?) ORDER BY id FOR UPDATE;'
    + ' SELECT m.room_id, u.id, u.username, u.avatar_url, u.last_seen_at, u.created_at FROM room_members m JOIN users u ON u.id = m.user_id WHERE (m.room_id, m.user_id) IN (?)'
    + (keyed.length ? '; SELECT id, room_id, seq, sender_id, content, message_type, client_msg_id, is_edited, is_deleted, created_at FROM messages WHERE (room_id, sender_id, client_msg_id) IN (?)' : ''),
    keyed.length ? [roomIds, pairs, keyed.map(b => [b.roomId, b.userId, b.clientMsgId])] : [roomIds, pairs],
  )
  const roomRows = results[1]!
  const senderRows = results[2]!
  const storedRows = keyed.length ? results[3]! : []
  const lastSeq = new Map<number, number>(roomRows.map(r => [Number(r.id), Number(r.last_seq)]))

  const senders = new Map<string, UserRow>()
  for (const r of senderRows) senders.set(pairKey(Number(r.room_id), Number(r.id)), userRowOf(r))

  const stored = new Map<string, Message>()
  for (const r of storedRows) {
    const sender = senders.get(pairKey(Number(r.room_id), Number(r.sender_id)))
    if (!sender) continue
    stored.set(idemKey(Number(r.room_id), Number(r.sender_id), r.client_msg_id), toMessage({
      id: Number(r.id), roomId: Number(r.room_id), seq: Number(r.seq), content: r.content, messageType: r.message_type,
      clientMsgId: r.client_msg_id, isEdited: !!r.is_edited, isDeleted: !!r.is_deleted, createdAt: r.created_at,
    }, sender))
  }

  const outcomes: Outcome[] = []
  const fresh: NewMessage[] = []
  const freshIndex: number[] = []
  const freshByKey = new Map<string, number>()
  const duplicates: number[] = []
  batch.forEach((b, index) => {
    const sender = senders.get(pairKey(b.roomId, b.userId))
    if (!lastSeq.has(b.roomId) || !sender) {
      outcomes[index] = { error: notFound('Room') }
      return
    }
    const key = b.clientMsgId ? idemKey(b.roomId, b.userId, b.clientMsgId) : null
    const already = key ? stored.get(key) : undefined
    if (already) {
      outcomes[index] = { ok: { message: already, created: false } }
      return
    }
    if (key && freshByKey.has(key)) {
      // The same send twice in one batch: the second gets the first's message.
      duplicates.push(index)
      return
    }
    const seq = lastSeq.get(b.roomId)! + 1
    lastSeq.set(b.roomId, seq)
    if (key) freshByKey.set(key, index)
    fresh.push({ request: b, seq, sender })
    freshIndex.push(index)
  })

  const created = await insertNewMessages(conn, fresh, lastSeq)
  created.forEach((message, i) => { outcomes[freshIndex[i]!] = { ok: { message, created: true } } })
  for (const index of duplicates) {
    const b = batch[index]!
    const twin = outcomes[freshByKey.get(idemKey(b.roomId, b.userId, b.clientMsgId!))!]!
    outcomes[index] = 'ok' in twin ? { ok: { message: twin.ok.message, created: false } } : twin
  }
  return outcomes
}

function userRowOf(r: RowDataPacket): UserRow {
  return { id: Number(r.id), username: r.username, avatarUrl: r.avatar_url, lastSeenAt: r.last_seen_at, createdAt: r.created_at }
}
