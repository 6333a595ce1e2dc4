/**
 * The write path of new messages, batched: sends that arrive while earlier batches are committing
 * are stored together in one transaction (two round trips and one log flush per batch instead of
 * ~10 statements per message). Nothing is acknowledged before its batch commits.
 *
 * Per batch: lock the rooms (ascending ids, one statement, so concurrent batches never deadlock),
 * check membership and load the senders, find already stored client_msg_ids, give each new message
 * its room's next seq, insert the messages and their room_events rows, and move each room's
 * last_seq / last_message_id / last_activity_at. If the batch fails on a race (a duplicate key,
 * a deadlock), each send is retried alone. A room is in at most one batch at a time, so its
 * messages are stored in the order they were sent.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise'
import { useWriterPool } from '../lib/db/client'
import { isDuplicateKey, notFound } from '../lib/errors/app-error'
import type { Message } from '../../shared/protocol/objects'
import { emit } from './domain-events'
import { messageEventPayload } from './room-log'
import { toPublicUser, type UserRow } from './presenters'

export interface SendRequest {
  userId: number
  roomId: number
  content: string
  clientMsgId: string | null
}

export interface SendResult {
  message: Message
  created: boolean
}

interface Pending extends SendRequest {
  resolve: (result: SendResult) => void
  reject: (error: unknown) => void
}

const MAX_BATCH = 256
const MAX_CONCURRENT_BATCHES = 4

const queue: Pending[] = []
let running = 0
let scheduled = false

/** Stores one message (or finds it stored already by its client_msg_id) and announces it after commit. */
export function writeMessage(request: SendRequest): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    queue.push({ ...request, resolve, reject })
    schedule()
  })
}

/** Rooms with a batch in flight: their next sends wait, so a room's messages keep their order. */
const busyRooms = new Set<number>()

/**
 * Takes up to MAX_BATCH queued sends whose rooms have no batch in flight, in queue order. A send
 * for a busy room stays queued, and so do all later sends for that room: per room, messages are
 * stored (and take seqs) in the order they arrived.
 */
function takeBatch(): Pending[] {
  const batch: Pending[] = []
  const rest: Pending[] = []
  for (const item of queue) {
    if (batch.length < MAX_BATCH && !busyRooms.has(item.roomId)) batch.push(item)
    else rest.push(item)
  }
  queue.length = 0
  queue.push(...rest)
  for (const item of batch) busyRooms.add(item.roomId)
  return batch
}

function schedule() {
  if (scheduled || running >= MAX_CONCURRENT_BATCHES || !queue.length) return
  scheduled = true
  // One turn of the event loop lets the frames that are already read join the batch.
  setImmediate(() => {
    scheduled = false
    while (running < MAX_CONCURRENT_BATCHES && queue.length) {
      const batch = takeBatch()
      if (!batch.length) break
      running++
      runBatch(batch).finally(() => {
        for (const item of batch) busyRooms.delete(item.roomId)
        running--
        schedule()
      })
    }
  })
}

async function runBatch(batch: Pending[]): Promise<void> {
  try {
    const outcomes = await storeBatch(batch)
    settle(batch, outcomes)
  }
  catch (firstError) {
    let err = firstError
    if (batch.length > 1 && (isDuplicateKey(err) || isRetryable(err))) {
      // A race with another batch: do each send on its own so one cannot fail the others.
      for (const item of batch) {
        try {
          settle([item], await storeBatch([item]))
        }
        catch (e) {
          item.reject(e)
        }
      }
      return
    }
    if (batch.length === 1 && batch[0]!.clientMsgId && isDuplicateKey(err)) {
      try {
        settle(batch, await storeBatch(batch))
        return
      }
      catch (e) {
        err = e
      }
    }
    for (const item of batch) item.reject(err)
  }
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: string })?.code
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT'
}

type Outcome = { ok: SendResult } | { error: unknown }

function settle(batch: Pending[], outcomes: Outcome[]) {
  // Announce in seq order, after the commit, then answer the senders.
  batch.forEach((item, i) => {
    const outcome = outcomes[i]!
    if ('ok' in outcome && outcome.ok.created) {
      const m = outcome.ok.message
      emit({ kind: 'room_event', roomId: m.room_id, seq: m.seq, type: 'new_message', payload: messageEventPayload('new_message', m.seq, m) })
    }
  })
  batch.forEach((item, i) => {
    const outcome = outcomes[i]!
    if ('ok' in outcome) item.resolve(outcome.ok)
    else item.reject(outcome.error)
  })
}

interface SenderRow extends RowDataPacket {
  room_id: number
  id: number
  username: string
  avatar_url: string | null
  last_seen_at: Date | null
  created_at: Date
}

const pairKey = (roomId: number, userId: number) => `${roomId}:${userId}`
const idemKey = (roomId: number, userId: number, clientMsgId: string) => `${roomId}:${userId}:${clientMsgId}`

/**
 * Two round trips per batch: (1) begin, lock the rooms, read members and senders, find stored
 * client_msg_ids; (2) insert the messages and their log rows, move the rooms, read the new ids,
 * commit. A failing statement stops the rest of its round trip, and the batch is rolled back.
 */
async function storeBatch(batch: SendRequest[]): Promise<Outcome[]> {
  const pool = await useWriterPool()
  const conn: PoolConnection = await pool.getConnection()
  let open = false
  try {
    open = true
    const outcomes = await storeInTransaction(conn, batch)
    open = false
    return outcomes
  }
  catch (err) {
    if (open) await conn.query('ROLLBACK').catch(() => undefined)
    throw err
  }
  finally {
    conn.release()
  }
}

async function storeInTransaction(conn: PoolConnection, batch: SendRequest[]): Promise<Outcome[]> {
  const roomIds = [...new Set(batch.map(b => b.roomId))].sort((a, b) => a - b)
  const pairs = [...new Map(batch.map(b => [pairKey(b.roomId, b.userId), [b.roomId, b.userId]])).values()]
  const keyed = batch.filter(b => b.clientMsgId)
  const [results] = await conn.query<RowDataPacket[][]>(
    'START TRANSACTION;'
    + ' SELECT id, last_seq FROM rooms WHERE id IN (?) ORDER BY id FOR UPDATE;'
    + ' SELECT m.room_id, u.id, u.username, u.avatar_url, u.last_seen_at, u.created_at FROM room_members m JOIN users u ON u.id = m.user_id WHERE (m.room_id, m.user_id) IN (?)'
    + (keyed.length ? '; SELECT id, room_id, seq, sender_id, content, message_type, client_msg_id, is_edited, is_deleted, created_at FROM messages WHERE (room_id, sender_id, client_msg_id) IN (?)' : ''),
    keyed.length ? [roomIds, pairs, keyed.map(b => [b.roomId, b.userId, b.clientMsgId])] : [roomIds, pairs],
  )
  const roomRows = results[1]!
  const senderRows = results[2] as SenderRow[]
  const storedRows = keyed.length ? results[3]! : []
  const lastSeq = new Map<number, number>(roomRows.map(r => [Number(r.id), Number(r.last_seq)]))

  const senders = new Map<string, UserRow>()
  for (const r of senderRows) senders.set(pairKey(Number(r.room_id), Number(r.id)), { id: Number(r.id), username: r.username, avatarUrl: r.avatar_url, lastSeenAt: r.last_seen_at, createdAt: r.created_at })

  const stored = new Map<string, Message>()
  for (const r of storedRows) {
    const sender = senders.get(pairKey(Number(r.room_id), Number(r.sender_id)))
    if (!sender) continue
    stored.set(idemKey(Number(r.room_id), Number(r.sender_id), r.client_msg_id), {
      id: Number(r.id), room_id: Number(r.room_id), seq: Number(r.seq), sender: toPublicUser(sender),
      content: r.is_deleted ? '' : r.content, message_type: r.message_type, client_msg_id: r.client_msg_id,
      is_edited: !!r.is_edited, is_deleted: !!r.is_deleted, created_at: (r.created_at as Date).toISOString(),
    })
  }

  const now = new Date()
  const outcomes: Outcome[] = []
  const fresh: Array<{ index: number, request: SendRequest, seq: number, sender: UserRow }> = []
  const freshByKey = new Map<string, number>()
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
      outcomes[index] = { error: 'pending-duplicate' }
      return
    }
    const seq = lastSeq.get(b.roomId)! + 1
    lastSeq.set(b.roomId, seq)
    if (key) freshByKey.set(key, index)
    fresh.push({ index, request: b, seq, sender })
  })

  if (!fresh.length) {
    await conn.query('COMMIT')
  }
  else {
    const keys = fresh.map(f => [f.request.roomId, f.seq])
    const touched = [...new Set(fresh.map(f => f.request.roomId))]
    const lastSeqCase = touched.map(() => 'WHEN ? THEN ?').join(' ')
    const [written] = await conn.query<RowDataPacket[][]>(
      'INSERT INTO messages (room_id, seq, sender_id, content, message_type, client_msg_id, created_at) VALUES ?;'
      + ' INSERT INTO room_events (room_id, seq, type, message_id, created_at) SELECT room_id, seq, \'new_message\', id, created_at FROM messages WHERE (room_id, seq) IN (?);'
      // Each room's new last seq is the seq of its newest message in this batch: join that message.
      + ` UPDATE rooms r JOIN messages m ON m.room_id = r.id AND m.seq = CASE r.id ${lastSeqCase} END SET r.last_seq = m.seq, r.last_message_id = m.id, r.last_activity_at = ? WHERE r.id IN (?);`
      + ' SELECT id, room_id, seq FROM messages WHERE (room_id, seq) IN (?);'
      + ' COMMIT',
      [
        fresh.map(f => [f.request.roomId, f.seq, f.request.userId, f.request.content, 'text', f.request.clientMsgId, now]),
        keys,
        ...touched.flatMap(id => [id, lastSeq.get(id)]),
        now,
        touched,
        keys,
      ],
    )
    const idOf = new Map<string, number>(written[3]!.map(r => [`${r.room_id}:${r.seq}`, Number(r.id)]))
    const createdAt = now.toISOString()
    for (const f of fresh) {
      const message: Message = {
        id: idOf.get(`${f.request.roomId}:${f.seq}`)!, room_id: f.request.roomId, seq: f.seq, sender: toPublicUser(f.sender),
        content: f.request.content, message_type: 'text', client_msg_id: f.request.clientMsgId,
        is_edited: false, is_deleted: false, created_at: createdAt,
      }
      outcomes[f.index] = { ok: { message, created: true } }
    }
  }
  // Resolve in-batch duplicates to the message their twin created.
  batch.forEach((b, index) => {
    if (outcomes[index] && 'error' in outcomes[index]! && outcomes[index]!.error === 'pending-duplicate') {
      const twin = outcomes[freshByKey.get(idemKey(b.roomId, b.userId, b.clientMsgId!))!]!
      outcomes[index] = 'ok' in twin ? { ok: { message: twin.ok.message, created: false } } : twin
    }
  })
  return outcomes
}
