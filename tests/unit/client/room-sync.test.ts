import { describe, expect, it } from 'vitest'
import type { Message, RoomEvent } from '../../../shared/protocol/objects'
import { createRoomSync, EVENTS_PAGE } from '../../../utils/room-sync'
import { judgeSeq, frameEventSeq, insertSorted } from '../../../utils/seq-log'
import { emptyLog, listMessages, markDeleted, upsertMessages } from '../../../utils/message-log'

function msg(seq: number, extra: Partial<Message> = {}): Message {
  return { id: seq * 10, room_id: 1, seq, sender: null, content: `m${seq}`, message_type: 'text', client_msg_id: null, is_edited: false, is_deleted: false, created_at: new Date(2026, 0, 1, 0, seq).toISOString(), ...extra }
}
function ev(seq: number): RoomEvent {
  return { room_id: 1, seq, type: 'new_message', payload: msg(seq) as unknown as Record<string, unknown>, created_at: '' }
}

/** A fake server log plus the client's applied state. */
function harness(serverLog: RoomEvent[], startSeq = 0) {
  const applied: number[] = []
  const seqs: Record<number, number> = { 1: startSeq }
  const fetches: number[] = []
  const sync = createRoomSync({
    getSeq: id => seqs[id],
    setSeq: (id, s) => { seqs[id] = s },
    fetchEvents: async (_id, after, limit) => {
      fetches.push(after)
      return serverLog.filter(e => e.seq > after).slice(0, limit)
    },
    apply: (_id, _type, payload) => { applied.push(Number(payload.seq)) },
    resync: async () => 0,
  })
  return { sync, applied, seqs, fetches }
}

describe('seq judgement', () => {
  it('tells duplicates, the next event and gaps apart', () => {
    expect(judgeSeq(5, 5)).toBe('duplicate')
    expect(judgeSeq(5, 3)).toBe('duplicate')
    expect(judgeSeq(5, 6)).toBe('next')
    expect(judgeSeq(5, 8)).toBe('gap')
  })

  it('reads event_seq before seq (message_updated carries the original seq)', () => {
    expect(frameEventSeq({ seq: 3, event_seq: 9 })).toBe(9)
    expect(frameEventSeq({ seq: 3 })).toBe(3)
    expect(frameEventSeq({})).toBeNull()
    expect(frameEventSeq({ seq: '3' })).toBeNull()
  })

  it('inserts seqs sorted and once', () => {
    expect(insertSorted([1, 3, 5], 4)).toEqual([1, 3, 4, 5])
    expect(insertSorted([1, 3, 5], 3)).toEqual([1, 3, 5])
    expect(insertSorted([], 2)).toEqual([2])
  })
})

describe('room sync', () => {
  it('applies the next frame, drops duplicates, and fetches a gap in order', async () => {
    const log = [1, 2, 3, 4, 5].map(ev)
    const h = harness(log, 0)
    expect(h.sync.ingest(1, 1, 'new_message', log[0]!.payload)).toBe('next')
    expect(h.sync.ingest(1, 1, 'new_message', log[0]!.payload)).toBe('duplicate')
    expect(h.sync.ingest(1, 4, 'new_message', log[3]!.payload)).toBe('gap')
    await h.sync.catchUp(1)
    expect(h.applied).toEqual([1, 2, 3, 4, 5])
    expect(h.seqs[1]).toBe(5)
    expect(h.fetches[0]).toBe(1) // from the last applied seq, not from 0
  })

  it('pages through a long log', async () => {
    const log = Array.from({ length: EVENTS_PAGE + 20 }, (_, i) => ev(i + 1))
    const h = harness(log)
    await h.sync.catchUp(1)
    expect(h.applied).toHaveLength(EVENTS_PAGE + 20)
    expect(h.fetches).toEqual([0, EVENTS_PAGE])
  })

  it('never interleaves two catch-ups of one room, nor applies an event twice', async () => {
    const h = harness([1, 2, 3].map(ev))
    await Promise.all([h.sync.catchUp(1), h.sync.catchUp(1), h.sync.catchUp(1)])
    expect(h.applied).toEqual([1, 2, 3])
  })

  it('a live frame during a catch-up waits for the catch-up', async () => {
    const log = [1, 2].map(ev)
    const h = harness(log)
    const job = h.sync.catchUp(1)
    log.push(ev(3))
    h.sync.ingest(1, 3, 'new_message', log[2]!.payload)
    await job
    expect(h.applied).toEqual([1, 2, 3])
  })

  it('starts over when the server says the log no longer reaches back', async () => {
    let resynced = false
    const seqs: Record<number, number> = { 1: 2 }
    const sync = createRoomSync({
      getSeq: id => seqs[id],
      setSeq: (id, s) => { seqs[id] = s },
      fetchEvents: async () => { throw Object.assign(new Error('gone'), { code: 'RESYNC_REQUIRED' }) },
      apply: () => {},
      resync: async () => {
        resynced = true
        return 40
      },
    })
    await sync.catchUp(1)
    expect(resynced).toBe(true)
    expect(seqs[1]).toBe(40)
  })

  it('after filling a live gap it asks for the room summary again (catch-up counts no unread)', async () => {
    const log = [1, 2, 3].map(ev)
    const seqs: Record<number, number> = { 1: 1 }
    const gaps: number[] = []
    const sync = createRoomSync({
      getSeq: id => seqs[id],
      setSeq: (id, s) => { seqs[id] = s },
      fetchEvents: async (_id, after) => log.filter(e => e.seq > after),
      apply: () => {},
      resync: async () => 0,
      afterGap: id => gaps.push(id),
    })
    sync.ingest(1, 3, 'new_message', log[2]!.payload)
    await expect.poll(() => gaps).toEqual([1])
    expect(seqs[1]).toBe(3)
  })

  it('reports frames for rooms it does not know', () => {
    let asked = 0
    const sync = createRoomSync({ getSeq: () => undefined, setSeq: () => {}, fetchEvents: async () => [], apply: () => {}, resync: async () => 0, unknownRoom: () => { asked++ } })
    expect(sync.ingest(9, 1, 'new_message', {})).toBe('unknown')
    expect(asked).toBe(1)
  })
})

describe('message log', () => {
  it('keys by seq: duplicates render once and order follows seq, not arrival', () => {
    let log = upsertMessages(emptyLog(), [msg(3), msg(1)])
    log = upsertMessages(log, [msg(2), msg(3)])
    expect(listMessages(log).map(m => m.seq)).toEqual([1, 2, 3])
  })

  it('applies edits and deletions; a stale copy never resurrects a deleted message', () => {
    let log = upsertMessages(emptyLog(), [msg(1), msg(2)])
    log = upsertMessages(log, [msg(1, { content: 'edited', is_edited: true })])
    log = markDeleted(log, 20)
    log = upsertMessages(log, [msg(2)])
    const [a, b] = listMessages(log)
    expect(a).toMatchObject({ content: 'edited', is_edited: true })
    expect(b).toMatchObject({ is_deleted: true, content: '' })
  })
})
