/**
 * A user whose socket was closed for rate-limit abuse (4029) may not open another one for a while
 * (WS_ABUSE_COOLDOWN_SECONDS): otherwise the close costs a flooder nothing, it reconnects at once
 * with fresh per-socket budgets and floods again. Per instance, like the other limits.
 */
import { useConfig } from '../lib/config/env'

const until = new Map<number, number>()

export function penalize(userId: number, now = Date.now()): void {
  for (const [id, end] of until) if (end <= now) until.delete(id)
  until.set(userId, now + useConfig().limits.wsAbuseCooldownSeconds * 1000)
}

/** Seconds the user must still wait before opening a socket; 0 when they may. */
export function penaltySeconds(userId: number, now = Date.now()): number {
  const end = until.get(userId)
  if (!end) return 0
  if (end <= now) {
    until.delete(userId)
    return 0
  }
  return Math.ceil((end - now) / 1000)
}
