// Watches the machine's disks from /proc/diskstats while a rung is measured. Mmessenger commits
// every message before delivering it, so a write or cache flush the disk holds for 400 ms holds
// every delivery of those 400 ms: on a virtual machine the host's storage decides that, not the
// server. The ceiling has no disk; this is how a report tells the two causes apart.
import { readdirSync, readFileSync } from 'node:fs'

/** Whole disks only: partitions and device-mapper volumes count the same requests again. */
function diskNames() {
  try {
    return new Set(readdirSync('/sys/block').filter(n => !/^(loop|ram|zram|dm-|md|sr|fd)/.test(n)))
  }
  catch {
    return new Set()
  }
}

/**
 * Requests completed (reads, writes, discards, flushes) and requests in flight, summed over disks.
 * @returns {{completed: number, inFlight: number} | null}
 */
function readDiskCounters(names) {
  let completed = 0
  let inFlight = 0
  let found = false
  for (const line of readFileSync('/proc/diskstats', 'latin1').split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 14 || !names.has(f[2])) continue
    found = true
    // Fields after the name: 1 reads, 5 writes, 9 in flight, 12 discards, 16 flushes (4.18+/5.5+).
    completed += Number(f[3]) + Number(f[7]) + Number(f[14] ?? 0) + Number(f[18] ?? 0)
    inFlight += Number(f[11])
  }
  return found ? { completed, inFlight } : null
}

/**
 * Samples every `intervalMs` until stopped. A stall is a stretch in which requests were in flight
 * and none completed; its length is measured between samples, so it is exact to about intervalMs.
 * @returns {{ stop: () => { longest_stall_ms: number, stalls_over_50ms: number } | null }}
 */
export function watchDisk({ intervalMs = 10 } = {}) {
  const names = diskNames()
  let last = names.size ? readDiskCounters(names) : null
  if (!last) return { stop: () => null }
  let stallStart = null
  let longest = 0
  let over50 = 0
  const close = (now) => {
    if (stallStart === null) return
    const ms = now - stallStart
    if (ms > longest) longest = ms
    if (ms >= 50) over50++
    stallStart = null
  }
  const timer = setInterval(() => {
    const now = performance.now()
    const c = readDiskCounters(names)
    if (!c) return
    if (c.completed !== last.completed) close(now)
    // Stuck since (at least) the previous sample: requests are in flight and none finished.
    if (c.inFlight > 0 && c.completed === last.completed && stallStart === null) stallStart = now - intervalMs
    last = c
  }, intervalMs)
  timer.unref()
  return {
    stop: () => {
      clearInterval(timer)
      close(performance.now())
      return { longest_stall_ms: Math.round(longest), stalls_over_50ms: over50 }
    },
  }
}
