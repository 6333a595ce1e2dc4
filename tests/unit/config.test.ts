import { describe, expect, it } from 'vitest'
import { parseDuration } from '../../server/lib/config/env'
import { RateLimiter } from '../../server/lib/rate-limit'

describe('parseDuration', () => {
  it('reads the original variable formats', () => {
    expect(parseDuration('15m')).toBe(900)
    expect(parseDuration('168h')).toBe(604800)
    expect(parseDuration('30s')).toBe(30)
    expect(parseDuration('7d')).toBe(604800)
    expect(parseDuration('45')).toBe(45)
    expect(parseDuration('15 minutes')).toBeNull()
    expect(parseDuration('-5m')).toBeNull()
  })
})

describe('RateLimiter', () => {
  it('allows max hits per window, then tells how long to wait, then resets', () => {
    const rl = new RateLimiter(3, 1000)
    expect([rl.hit('a', 0), rl.hit('a', 10), rl.hit('a', 20)]).toEqual([0, 0, 0])
    expect(rl.hit('a', 500)).toBeCloseTo(0.5)
    expect(rl.hit('b', 500)).toBe(0)
    expect(rl.hit('a', 1000)).toBe(0)
  })
})
