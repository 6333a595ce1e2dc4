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
 * @param {string | object} source path of a .cpuprofile, or the profile itself
 * @param {{top?: number, label?: string}} [opts]
 */
export function summarizeProfile(source, { top = 25, label } = {}) {
  const profile = typeof source === 'string' ? JSON.parse(readFileSync(source, 'utf8')) : source
  const file = label ?? (typeof source === 'string' ? source : 'profile')
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
  // Inclusive (self + callees) time of the application's own functions, to see which of its
  // paths the native and library time above is spent under.
  const totalOf = new Map()
  const visit = (root) => {
    const stack = [[root, false]]
    while (stack.length) {
      const [node, done] = stack.pop()
      if (done) {
        let t = selfUs.get(node.id) ?? 0
        for (const child of node.children ?? []) t += totalOf.get(child) ?? 0
        totalOf.set(node.id, t)
        continue
      }
      stack.push([node, true])
      for (const child of node.children ?? []) stack.push([byId.get(child), false])
    }
  }
  visit(profile.nodes[0])
  const appFns = new Map()
  const onStack = new Set()
  const walk = (root) => {
    // A function that calls itself is counted once per stack.
    const stack = [[root, false]]
    while (stack.length) {
      const [node, done] = stack.pop()
      const { callFrame } = node
      const where = place(callFrame.url)
      const isApp = callFrame.url && !where.startsWith('node:') && !callFrame.url.includes('node_modules/')
      const key = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`
      if (done) {
        if (isApp) onStack.delete(key)
        continue
      }
      if (isApp && !onStack.has(key)) {
        appFns.set(key, (appFns.get(key) ?? 0) + (totalOf.get(node.id) ?? 0))
        onStack.add(key)
        stack.push([node, true])
      }
      for (const child of node.children ?? []) stack.push([byId.get(child), false])
    }
  }
  walk(profile.nodes[0])

  const busy = total - idle
  const rank = map => [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, self_ms: Math.round(us / 1000), pct_of_busy: Math.round((1000 * us) / busy) / 10 }))
  return {
    file,
    wall_s: Math.round(total / 1e4) / 100,
    busy_s: Math.round(busy / 1e4) / 100,
    gc_pct_of_busy: Math.round((1000 * gc) / busy) / 10,
    functions: rank(fns),
    places: rank(places),
    app_inclusive: rank(appFns),
  }
}

export function formatProfile(summary) {
  const lines = [`${summary.file}: busy ${summary.busy_s} s of ${summary.wall_s} s, GC ${summary.gc_pct_of_busy}% of busy`, '', 'self % of busy  function (place:line)']
  for (const f of summary.functions) lines.push(`${String(f.pct_of_busy).padStart(6)}%  ${f.name}`)
  lines.push('', 'self % of busy  package / file')
  for (const p of summary.places) lines.push(`${String(p.pct_of_busy).padStart(6)}%  ${p.name}`)
  lines.push('', 'total % of busy (self + callees)  application function (place:line)')
  for (const f of summary.app_inclusive) lines.push(`${String(f.pct_of_busy).padStart(6)}%  ${f.name}`)
  return lines.join('\n')
}
