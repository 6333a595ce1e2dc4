import { afterEach, describe, expect, it, vi } from 'vitest'
import { TokenBucket } from '../../server/lib/token-bucket'
import { onClusterMessage } from '../../server/realtime/cluster'
import { typingStarted, typingStopped, TYPING_EXPIRY_MS } from '../../server/realtime/typing'
import type { Connection } from '../../server/realtime/connection'

describe('TokenBucket', () => {
  it('allows the burst, then the sustained rate', () => {
    const b = new TokenBucket(10, 20, 0)
    let allowed = 0
    for (let i = 0; i < 50; i++) if (b.take(0)) allowed++
    expect(allowed).toBe(20)
    expect(b.take(50)).toBe(false)
    expect(b.take(100)).toBe(true) // 100 ms at 10/s = one token
  })
})

describe('typing', () => {
  afterEach(() => vi.useRealTimers())

  it('forwards at most one start per second per typist, and a stop after 6 s of silence', () => {
    vi.useFakeTimers()
    const frames: Array<{ is_typing: boolean }> = []
    onClusterMessage((_m, frame) => frames.push(JSON.parse(frame).payload))
    // typingIn is made on the first start.
    const conn = { userId: 7 } as unknown as Connection
    const t0 = Date.now()
    for (let i = 0; i < 10; i++) typingStarted(conn, 1, 'kim', t0 + i * 100)
    expect(frames.map(f => f.is_typing)).toEqual([true])
    typingStarted(conn, 1, 'kim', t0 + 1100)
    expect(frames.map(f => f.is_typing)).toEqual([true, true])
    vi.advanceTimersByTime(TYPING_EXPIRY_MS + 10)
    expect(frames.map(f => f.is_typing)).toEqual([true, true, false])
    typingStopped(conn, 1)
    expect(frames).toHaveLength(3)
    expect(conn.typingIn?.size).toBe(0)
  })
})
