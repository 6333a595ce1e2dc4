// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and ranks functions by self time,
// and files/packages by self time, so hot paths can be read without opening DevTools.
import { readFileSync } from 'node:fs'

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)'])

/** Where a function lives, shortened: node_modules/<pkg>, node:<module>, or the app file. */
function place(url) {
  if (!url) return '(native)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (url.startsWith('node:')) return url
  const i = url.indexOf('/.output/')
  if (i >= 0) return url.slice(i + 1)
  return url.replace(/^file:\/\//, '').split('/').slice(-2).join('/')
}

/**
 * @param {string} file path of a .cpuprofile
 * @param {{top?: number}} [opts]
 */
export function summarizeProfile(file, { top = 25 } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const selfUs = new Map()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  let total = 0
  let idle = 0
  let gc = 0
  const fns = new Map()
  const places = new Map()
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id)
    const name = callFrame.functionName || '(anonymous)'
    total += us
    if (name === '(idle)' || name === '(program)') {
      idle += name === '(idle)' ? us : 0
      if (name === '(idle)') continue
    }
    if (name === '(garbage collector)') gc += us
    const where = IDLE.has(name) ? '' : `${place(callFrame.url)}:${callFrame.lineNumber + 1}`
    const key = `${name} ${where}`
    fns.set(key, (fns.get(key) ?? 0) + us)
    const p = IDLE.has(name) ? name : place(callFrame.url)
    places.set(p, (places.get(p) ?? 0) + us)
  }
  const busy = total - idle
  const rank = map => [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, self_ms: Math.round(us / 1000), pct_of_busy: Math.round((1000 * us) / busy) / 10 }))
  return {
    file,
    wall_s: Math.round(total / 1e4) / 100,
    busy_s: Math.round(busy / 1e4) / 100,
    gc_pct_of_busy: Math.round((1000 * gc) / busy) / 10,
    functions: rank(fns),
    places: rank(places),
  }
}

export function formatProfile(summary) {
  const lines = [`${summary.file}: busy ${summary.busy_s} s of ${summary.wall_s} s, GC ${summary.gc_pct_of_busy}% of busy`, '', 'self % of busy  function (place:line)']
  for (const f of summary.functions) lines.push(`${String(f.pct_of_busy).padStart(6)}%  ${f.name}`)
  lines.push('', 'self % of busy  package / file')
  for (const p of summary.places) lines.push(`${String(p.pct_of_busy).padStart(6)}%  ${p.name}`)
  return lines.join('\n')
}
