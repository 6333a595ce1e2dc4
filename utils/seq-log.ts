/**
 * Room state is a log: every change has the room's next `seq`. A client that applies events strictly
 * in seq order, once each, ends with the server's state. This module decides, for one incoming seq,
 * whether it is a duplicate, the next one, or proof that something was missed (a gap).
 */
export type SeqVerdict = 'duplicate' | 'next' | 'gap'

export function judgeSeq(lastSeq: number, eventSeq: number): SeqVerdict {
  if (eventSeq <= lastSeq) return 'duplicate'
  if (eventSeq === lastSeq + 1) return 'next'
  return 'gap'
}

/** The seq a live frame announces: `event_seq` (extension) or the frame's own `seq`. */
export function frameEventSeq(payload: { event_seq?: unknown, seq?: unknown }): number | null {
  const raw = payload.event_seq ?? payload.seq
  return typeof raw === 'number' && Number.isInteger(raw) && raw > 0 ? raw : null
}

/** Sorted insert of `seq` into an ascending, duplicate-free array (returns a new array). */
export function insertSorted(seqs: readonly number[], seq: number): number[] {
  let lo = 0
  let hi = seqs.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (seqs[mid]! < seq) lo = mid + 1
    else hi = mid
  }
  if (seqs[lo] === seq) return seqs as number[]
  return [...seqs.slice(0, lo), seq, ...seqs.slice(lo)]
}
