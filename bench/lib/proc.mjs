// Reads a process's CPU time and memory from /proc (Linux), so the bench measures the server
// from outside without touching its code.
import { readdirSync, readFileSync } from 'node:fs'

// USER_HZ is 100 on every Linux this runs on (getconf CLK_TCK); /proc/<pid>/stat counts in it.
const TICKS_PER_SECOND = 100

/** User + system CPU seconds the process has used so far, or null if it is gone. */
export function cpuSeconds(pid) {
  const t = cpuTimes(pid)
  return t && t.user + t.system
}

/** CPU seconds a process spent in its own code (user) and in the kernel for it (system), or null. */
export function cpuTimes(pid) {
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
