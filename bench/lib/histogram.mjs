// A fixed-bucket latency histogram: 10 µs buckets up to 100 ms, then 1 ms buckets up to 60 s.
// Recording is one array increment, so measuring every delivery costs no allocation.
const FINE_US = 10
const FINE_LIMIT_US = 100_000
const COARSE_US = 1_000
const MAX_US = 60_000_000
const FINE_BUCKETS = FINE_LIMIT_US / FINE_US
const BUCKETS = FINE_BUCKETS + (MAX_US - FINE_LIMIT_US) / COARSE_US + 1

export class Histogram {
  constructor() {
    this.counts = new Uint32Array(BUCKETS)
    this.count = 0
    this.sumUs = 0
    this.maxUs = 0
  }

  /** @param {number} us latency in microseconds */
  add(us) {
    if (us < 0) us = 0
    if (us > this.maxUs) this.maxUs = us
    this.count++
    this.sumUs += us
    const i = us < FINE_LIMIT_US ? Math.floor(us / FINE_US) : Math.min(BUCKETS - 1, FINE_BUCKETS + Math.floor((us - FINE_LIMIT_US) / COARSE_US))
    this.counts[i]++
  }

  /** The latency (ms) below which `p` percent of the samples fall; the bucket's upper edge. */
  percentileMs(p) {
    if (this.count === 0) return null
    const rank = Math.ceil((p / 100) * this.count)
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]
      if (seen >= rank) {
        const upperUs = i < FINE_BUCKETS ? (i + 1) * FINE_US : FINE_LIMIT_US + (i - FINE_BUCKETS + 1) * COARSE_US
        return round(Math.min(upperUs, this.maxUs) / 1000)
      }
    }
    return round(this.maxUs / 1000)
  }

  summary() {
    return {
      count: this.count,
      mean_ms: this.count ? round(this.sumUs / this.count / 1000) : null,
      p50_ms: this.percentileMs(50),
      p95_ms: this.percentileMs(95),
      p99_ms: this.percentileMs(99),
      max_ms: this.count ? round(this.maxUs / 1000) : null,
    }
  }
}

export const round = (x, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits)
