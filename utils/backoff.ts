/** Reconnect delay: exponential with "full jitter", so a restarted server is not hit by every tab at once. */
export function backoffDelay(attempt: number, options: { baseMs?: number, maxMs?: number, random?: () => number } = {}): number {
  const base = options.baseMs ?? 500
  const max = options.maxMs ?? 30_000
  const random = options.random ?? Math.random
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt))
  return Math.round(base / 2 + random() * (ceiling - base / 2))
}
