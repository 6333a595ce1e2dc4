// `npm run bench:disk`: how long this machine's disk takes to make one small write durable, the
// way a database commit with innodb_flush_log_at_trx_commit=1 does (write, then fdatasync).
// Every delivery of a committed message waits for one such flush, so the disk's tail is a floor
// under Mmessenger's latency tail that no server code can lower.
//
//   npm run bench:disk [-- --seconds 120] [--rate 100] [--dir <a directory on the database's disk>]
//
// Writes one 1 MiB file in --dir (default: this project's directory) and deletes it at the end.
import { closeSync, fdatasyncSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { parseArgs } from './lib/args.mjs'
import { Histogram, round } from './lib/histogram.mjs'
import { ROOT } from './lib/targets.mjs'

const args = parseArgs()
const seconds = Number(args.seconds ?? 60)
const rate = Number(args.rate ?? 100)
const file = join(args.dir ?? ROOT, `.disk-probe-${process.pid}.tmp`)
const BLOCK = 4096
const BLOCKS = 256

const fd = openSync(file, 'w+', 0o600)
const sleep = ms => new Promise(r => setTimeout(r, ms))
const cleanup = () => {
  try {
    closeSync(fd)
  }
  catch { /* already closed */ }
  try {
    unlinkSync(file)
  }
  catch { /* already gone */ }
}
process.once('SIGINT', () => {
  cleanup()
  process.exit(130)
})

try {
  ftruncateSync(fd, BLOCK * BLOCKS)
  fdatasyncSync(fd)
  const latency = new Histogram()
  const slow = []
  const block = randomBytes(BLOCK)
  const started = performance.now()
  console.error(`bench:disk: ${rate} durable 4 KiB writes/s for ${seconds} s in ${args.dir ?? 'the project directory'}`)
  for (let i = 0; performance.now() - started < seconds * 1000; i++) {
    const t = performance.now()
    block[0] = i & 255
    writeSync(fd, block, 0, BLOCK, (i % BLOCKS) * BLOCK)
    fdatasyncSync(fd)
    const ms = performance.now() - t
    latency.add(ms * 1000)
    if (ms >= 50) slow.push({ at_s: Math.round((t - started) / 100) / 10, ms: Math.round(ms) })
    const due = started + ((i + 1) * 1000) / rate
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
  }
  const result = {
    writes: latency.count,
    seconds,
    p50_ms: latency.percentileMs(50),
    p99_ms: latency.percentileMs(99),
    p999_ms: latency.percentileMs(99.9),
    max_ms: round(latency.maxUs / 1000),
    over_50ms: slow.length,
    over_100ms: slow.filter(s => s.ms >= 100).length,
    slowest: [...slow].sort((a, b) => b.ms - a.ms).slice(0, 10),
  }
  console.log(JSON.stringify(result))
  console.log(`durable writes: ${result.writes} in ${seconds} s; p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, p99.9 ${result.p999_ms} ms, max ${result.max_ms} ms`)
  console.log(`${result.over_50ms} took 50 ms or more, ${result.over_100ms} took 100 ms or more${slow.length ? `: ${result.slowest.map(s => `${s.ms} ms at ${s.at_s} s`).join(', ')}` : ''}`)
}
finally {
  cleanup()
}
