/**
 * The write path of new messages, batched: sends that arrive while earlier batches are committing
 * are stored together in one transaction (one round trip and one log flush per batch instead of
 * ~10 statements per message). Nothing is acknowledged before its batch commits.
 *
 * A batch first goes the optimistic way: one CALL for a send on its own (message-batch/lone-send.ts),
 * one multi-statement round trip for more (message-batch/one-trip.ts). If that fails on a
 * repeated client_msg_id or a race (a duplicate key, a deadlock), the checked way
 * (message-batch/checked.ts) stores it again, answering repeats with the stored message; if even
 * that races, each send is stored alone. A room is in at most one batch at a time, so its
 * messages are stored in the order they were sent.
 */
import { isDuplicateKey } from '../lib/errors/app-error'
import { emit } from './domain-events'
import { messageEventPayload } from './room-log'
import { storeBatchChecked } from './message-batch/checked'
import { isOneTripMiss, storeBatchInOneTrip } from './message-batch/one-trip'
import { isLoneSendMiss, storeLoneSend } from './message-batch/lone-send'
import type { Outcome, SendRequest, SendResult } from './message-batch/types'

export type { SendRequest, SendResult }

interface Pending extends SendRequest {
  resolve: (result: SendResult) => void
  reject: (error: unknown) => void
}

const MAX_BATCH = 256
const MAX_CONCURRENT_BATCHES = 4

let queue: Pending[] = []
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
  queue = rest
  for (const item of batch) busyRooms.add(item.roomId)
  return batch
}

function schedule() {
  if (scheduled || running >= MAX_CONCURRENT_BATCHES || !queue.length) return
  // Nothing in flight and nothing waiting: a send on its own goes out at once. Waiting a turn would
  // cost a pass through the event loop for every message when they come one at a time. Sends read
  // right behind it (even in the same turn) meet a busy writer and are batched below.
  if (running === 0 && queue.length === 1) return startBatches()
  scheduled = true
  // One turn of the event loop lets the frames that are already read join the batch.
  setImmediate(() => {
    scheduled = false
    startBatches()
  })
}

function startBatches(): void {
  while (running < MAX_CONCURRENT_BATCHES && queue.length) {
    const batch = takeBatch()
    if (!batch.length) break
    running++
    void storeAndAnnounce(batch)
  }
}

async function storeAndAnnounce(batch: Pending[]): Promise<void> {
  const outcomes = await store(batch)
  for (const item of batch) busyRooms.delete(item.roomId)
  running--
  // The next batch's statements go out before this batch is announced, so the database stores it
  // while this one's frames are written. Its outcome arrives in a later turn: announcements keep
  // the order of the seqs.
  startBatches()
  settle(batch, outcomes)
}

/** Stores a batch and says, for each send, what became of it. Never throws. */
async function store(batch: Pending[]): Promise<Outcome[]> {
  try {
    return await (batch.length === 1 ? storeLoneSend(batch[0]!) : storeBatchInOneTrip(batch))
  }
  catch (err) {
    // A repeated client_msg_id, a sender who is not a member, or a race with another writer:
    // the checked path sorts it out.
    if (!isDuplicateKey(err) && !isRetryable(err) && !isOneTripMiss(err) && !isLoneSendMiss(err)) return batch.map(() => ({ error: err }))
  }
  return storeChecked(batch)
}

async function storeChecked(batch: Pending[]): Promise<Outcome[]> {
  try {
    return await storeBatchChecked(batch)
  }
  catch (firstError) {
    let err = firstError
    if (batch.length > 1 && (isDuplicateKey(err) || isRetryable(err))) {
      // A race with another batch: do each send on its own so one cannot fail the others.
      const outcomes: Outcome[] = []
      for (const item of batch) {
        try {
          outcomes.push((await storeBatchChecked([item]))[0]!)
        }
        catch (e) {
          outcomes.push({ error: e })
        }
      }
      return outcomes
    }
    if (batch.length === 1 && batch[0]!.clientMsgId && isDuplicateKey(err)) {
      try {
        return await storeBatchChecked(batch)
      }
      catch (e) {
        err = e
      }
    }
    return batch.map(() => ({ error: err }))
  }
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: string })?.code
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT'
}

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
