/**
 * Fixed-window counters in process memory. Per instance by design: behind a load balancer each
 * instance enforces its own share, which is documented in the README.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number, resetAt: number }>()
  private lastSweep = Date.now()

  constructor(private readonly max: number, private readonly windowMs: number) {}

  /** Counts one hit; returns 0 when allowed, or the seconds to wait. */
  hit(key: string, now = Date.now()): number {
    this.sweep(now)
    let w = this.windows.get(key)
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + this.windowMs }
      this.windows.set(key, w)
    }
    w.count++
    return w.count > this.max ? (w.resetAt - now) / 1000 : 0
  }

  reset(key: string) {
    this.windows.delete(key)
  }

  private sweep(now: number) {
    if (now - this.lastSweep < this.windowMs) return
    this.lastSweep = now
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k)
  }
}
