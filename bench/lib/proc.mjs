// Reads a process's CPU time and memory from /proc (Linux), so the bench measures the server
// from outside without touching its code.
import { readdirSync, readFileSync } from 'node:fs'

// USER_HZ is 100 on every Linux this runs on (getconf CLK_TCK); /proc/<pid>/stat counts in it.
const TICKS_PER_SECOND = 100

/** User + system CPU seconds the process has used so far, or null if it is gone. */
export function cpuSeconds(pid) {
  const t = tickTimes(pid)
  return t && t.user + t.system
}

/**
 * CPU seconds a process spent in its own code (user) and in the kernel for it (system), in clock
 * ticks, and `total`, the same sum to the nanosecond where the kernel tells it, or null.
 */
export function cpuTimes(pid) {
  const t = tickTimes(pid)
  return t && { ...t, total: runtimeSeconds(pid) ?? t.user + t.system }
}

/** User and system CPU seconds from /proc/<pid>/stat (10 ms clock ticks), or null if it is gone. */
function tickTimes(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    // The command name (field 2) may hold spaces; the fields after its closing ")" are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND }
  }
  catch {
    return null
  }
}

/**
 * The CPU time of all of a process's threads in nanoseconds (/proc/<pid>/task/<tid>/schedstat,
 * first field), as seconds, or null where it is not available. Clock ticks are 10 ms: a window of
 * 0.3 CPU seconds (the lowest rung) would be read to +-3%; this reads it to the microsecond. The
 * threads of a Node server live as long as the process, so none of its time leaves with a thread.
 */
function runtimeSeconds(pid) {
  try {
    let ns = 0
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const value = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0])
      if (!Number.isFinite(value)) return null
      ns += value
    }
    return ns / 1e9
  }
  catch {
    return null
  }
}

/** Current and peak resident memory in bytes (VmRSS, VmHWM), or null if the process is gone. */
export function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1')
    const kb = name => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
    return { rss: kb('VmRSS'), peak: kb('VmHWM') }
  }
  catch {
    return null
  }
}

/** The pid of the local MariaDB/MySQL server, if it runs on this machine, to charge its CPU too. */
export function findDatabasePid() {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'latin1').trim()
      if (comm === 'mariadbd' || comm === 'mysqld') return Number(entry)
    }
    catch { /* exited meanwhile */ }
  }
  return null
}
