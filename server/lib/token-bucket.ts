/** A token bucket: `ratePerSecond` sustained, bursts up to `burst`. */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(private readonly ratePerSecond: number, private readonly burst: number, now = performance.now()) {
    this.tokens = burst
    this.last = now
  }

  take(now = performance.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.ratePerSecond)
    this.last = Math.max(this.last, now)
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
