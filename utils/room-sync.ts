/**
 * Keeps each room's applied state in step with the server's event log. Live frames are applied only
 * when they are exactly the next seq; a duplicate is dropped; a gap (or a reconnect) triggers a
 * catch-up through GET /rooms/:id/events, serialised per room so two catch-ups never interleave.
 */
import type { RoomEvent, RoomEventType } from '../shared/protocol/objects'
import { judgeSeq, type SeqVerdict } from './seq-log'

export const EVENTS_PAGE = 500

export interface RoomSyncDeps {
  getSeq: (roomId: number) => number | undefined
  setSeq: (roomId: number, seq: number) => void
  /** Events with seq > afterSeq, oldest first. Throws `{ code: 'RESYNC_REQUIRED' }` on 410. */
  fetchEvents: (roomId: number, afterSeq: number, limit: number) => Promise<RoomEvent[]>
  apply: (roomId: number, type: RoomEventType, payload: Record<string, unknown>, live: boolean) => void
  /** The log no longer reaches back: reload the room from scratch, returning its current last seq. */
  resync: (roomId: number) => Promise<number>
  /** A frame for a room this tab does not know yet (e.g. just invited): load it. */
  unknownRoom?: (roomId: number) => void
  /** A live gap was filled: events applied as catch-up did not count unread; re-read the summary. */
  afterGap?: (roomId: number) => void
}

export function createRoomSync(deps: RoomSyncDeps) {
  const running = new Map<number, Promise<void>>()
  const again = new Set<number>()

  /** One live frame that announced room change `seq`. */
  function ingest(roomId: number, seq: number, type: RoomEventType, payload: Record<string, unknown>): SeqVerdict | 'unknown' {
    const last = deps.getSeq(roomId)
    if (last === undefined) {
      deps.unknownRoom?.(roomId)
      return 'unknown'
    }
    const verdict = judgeSeq(last, seq)
    if (verdict === 'next' && !running.has(roomId)) {
      deps.apply(roomId, type, payload, true)
      deps.setSeq(roomId, seq)
    }
    else if (verdict !== 'duplicate') {
      // Either a gap, or a catch-up is under way and will fetch this event in order.
      const job = catchUp(roomId)
      if (verdict === 'gap') void job.then(() => deps.afterGap?.(roomId), () => {})
      else void job.catch(() => {})
    }
    return verdict
  }

  /** Fetches and applies everything after the room's last applied seq. Resolves when up to date. */
  function catchUp(roomId: number): Promise<void> {
    const current = running.get(roomId)
    if (current) {
      again.add(roomId)
      return current
    }
    const job = (async () => {
      do {
        again.delete(roomId)
        await drain(roomId)
      } while (again.has(roomId))
    })().finally(() => running.delete(roomId))
    running.set(roomId, job)
    return job
  }

  async function drain(roomId: number) {
    for (;;) {
      const from = deps.getSeq(roomId)
      if (from === undefined) return
      let events: RoomEvent[]
      try {
        events = await deps.fetchEvents(roomId, from, EVENTS_PAGE)
      }
      catch (e) {
        if ((e as { code?: string }).code === 'RESYNC_REQUIRED') {
          deps.setSeq(roomId, await deps.resync(roomId))
          return
        }
        throw e
      }
      for (const ev of events) {
        const last = deps.getSeq(roomId) ?? from
        const verdict = judgeSeq(last, ev.seq)
        if (verdict === 'duplicate') continue
        if (verdict === 'gap') break // cannot happen with a gap-free log; refetch from where we are
        deps.apply(roomId, ev.type, ev.payload, false)
        deps.setSeq(roomId, ev.seq)
      }
      if (events.length < EVENTS_PAGE) return
    }
  }

  function isCatchingUp(roomId: number): boolean {
    return running.has(roomId)
  }

  return { ingest, catchUp, isCatchingUp }
}
