// One run of bench/load.mjs in a process of its own. Two of them can load two targets at the same
// time without sharing a load generator's event loop (bench:pair; the side-by-side rungs of
// `npm run bench`).
import { spawn } from 'node:child_process'
import { join } from 'node:path'

const LOAD = join(import.meta.dirname, '..', 'load.mjs')

/**
 * @param {{target: 'ceiling' | 'mmessenger', scenario: string, duration: number, warmup?: number,
 *   entry?: string, nodeFlags?: string, extra?: string[]}} o
 *   `entry` is the Mmessenger build (`.output/server/index.mjs`), `nodeFlags` V8 flags for its
 *   server, `extra` more load.mjs options (`--deflate`, `--full-parse`).
 * @returns {Promise<object>} load.mjs's JSON result
 */
export function runLoadProcess({ target, scenario, duration, warmup, entry, nodeFlags, extra = [] }) {
  const args = [LOAD, '--target', target, '--scenario', scenario, '--duration', String(duration)]
  if (warmup !== undefined) args.push('--warmup', String(warmup))
  if (target === 'mmessenger' && entry) args.push('--server', entry)
  // `--node-flags=...` in one piece: the value starts with "--" itself.
  if (nodeFlags) args.push(`--node-flags=${nodeFlags}`)
  args.push(...extra)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { err = (err + d).slice(-4000) })
    child.on('error', reject)
    child.on('exit', (code) => {
      const line = out.split('\n').find(l => l.startsWith('{'))
      if (code !== 0 || !line) return reject(new Error(`load.mjs (${target}${entry ? ` ${entry}` : ''}) exited with ${code}:\n${err}`))
      resolve(JSON.parse(line))
    })
  })
}
