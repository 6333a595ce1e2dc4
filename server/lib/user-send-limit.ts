/**
 * The per-user message rate, shared by the socket and REST paths so a second tab or a script
 * cannot multiply it. Counted per instance; idle users are forgotten.
 */
import { TokenBucket } from './token-bucket'
import { useConfig } from './config/env'

const IDLE_MS = 60_000
const buckets = new Map<number, { bucket: TokenBucket, usedAt: number }>()
let lastSweep = Date.now()

/** Takes one send from the user's allowance; false means "over the limit, refuse". */
export function allowUserSend(userId: number, now = Date.now()): boolean {
  if (now - lastSweep > IDLE_MS) {
    lastSweep = now
    for (const [id, entry] of buckets) if (now - entry.usedAt > IDLE_MS) buckets.delete(id)
  }
  let entry = buckets.get(userId)
  if (!entry) {
    const rate = useConfig().limits.messagesPerSecondPerUser
    buckets.set(userId, (entry = { bucket: new TokenBucket(rate, rate * 2), usedAt: now }))
  }
  entry.usedAt = now
  return entry.bucket.take()
}
