// Text output of the bench: the table of one run, the side-by-side ladder table (terminal and
// markdown) and the SVG chart, all generated from the result objects.

const fmt = (v, digits = 2) => {
  if (v === null || v === undefined || Number.isNaN(v)) return '-'
  if (typeof v === 'boolean') return v ? 'yes' : 'no'
  if (typeof v !== 'number') return String(v)
  if (Number.isInteger(v)) return v.toLocaleString('en-US')
  return v.toFixed(digits)
}

function table(rows) {
  const widths = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, String(cell).length)))
  return rows.map(row => row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ')).join('\n')
}

/** The figures of one run, one per line. */
export function formatRun(r) {
  const rows = [[`${r.target} ${r.scenario}`, '']]
  if (r.senders_per_room) {
    rows.push(
      ['deliveries/s (offered)', `${fmt(r.deliveries_per_s)} (${fmt(r.offered_deliveries_per_s)})`],
      ['latency p50 / p95 / p99 / max ms', [r.latency_ms.p50_ms, r.latency_ms.p95_ms, r.latency_ms.p99_ms, r.latency_ms.max_ms].map(v => fmt(v)).join(' / ')],
      ['ack latency p99 ms', fmt(r.ack_latency_ms.p99_ms)],
      ['messages sent / acked', `${fmt(r.messages_sent)} / ${fmt(r.messages_acked)}`],
      ['deliveries / expected', `${fmt(r.deliveries)} / ${fmt(r.deliveries_expected)}`],
      ['lost / duplicated / misdelivered', `${fmt(r.lost)} / ${fmt(r.duplicated)} / ${fmt(r.misdelivered)}`],
      ['server CPU µs per delivery', fmt(r.server_cpu_us_per_delivery)],
      ['server CPU % of a core', fmt(r.server_cpu_pct, 1)],
      ['database CPU µs per delivery', fmt(r.db_cpu_us_per_delivery)],
      ['generator CPU % / loop delay p99 ms', `${fmt(r.generator.cpu_pct, 1)} / ${fmt(r.generator.event_loop_delay_p99_ms)}${r.generator.saturated ? '  (SATURATED)' : ''}`],
      ['send lag p99 ms', fmt(r.send_lag_ms.p99)],
      ['latency stalls (s into window: worst ms)', r.stalls?.length ? r.stalls.map(x => `${x.at_s}: ${x.max_ms}`).join(', ') : 'none'],
      ['disk: longest stall ms / stalls >= 50 ms', r.disk ? `${fmt(r.disk.longest_stall_ms)} / ${fmt(r.disk.stalls_over_50ms)}` : 'not measured'],
    )
  }
  rows.push(
    ['server RSS baseline / connected / peak MB', `${fmt(r.server_rss_baseline_mb, 1)} / ${fmt(r.server_rss_connected_mb, 1)} / ${fmt(r.server_peak_rss_mb, 1)}`],
    ['server RSS per connection KB', fmt(r.rss_per_connection_kb)],
    ...(r.rss_per_connection_after_gc_kb !== undefined ? [['after a full GC: RSS / V8 heap per connection KB', `${fmt(r.rss_per_connection_after_gc_kb)} / ${fmt(r.heap_per_connection_after_gc_kb)}`]] : []),
    ['connect failures / unexpected closes', `${fmt(r.connect_failures)} / ${fmt(r.unexpected_closes)}`],
  )
  if (r.overloaded) rows.push(['overloaded (stopped sending)', 'yes'])
  if (r.errors && Object.keys(r.errors).length) rows.push(['error frames', JSON.stringify(r.errors)])
  rows.push(['verdict', r.pass ? 'PASS' : 'FAIL'])
  return table(rows)
}

const ratio = (a, b) => (a === null || b === null || a === undefined || b === undefined || b === 0 ? null : a / b)

/** Column definitions of the comparison: label, getter, and whether a ratio makes sense. */
const COLUMNS = [
  ['deliveries/s', r => r.deliveries_per_s],
  ['p50 ms', r => r.latency_ms?.p50_ms],
  ['p99 ms', r => r.latency_ms?.p99_ms],
  ['max ms', r => r.latency_ms?.max_ms],
  ['lost', r => r.lost, false],
  ['dup', r => r.duplicated, false],
  ['CPU µs/deliv', r => r.server_cpu_us_per_delivery],
  ['DB CPU µs/deliv', r => r.db_cpu_us_per_delivery, false],
  ['peak RSS MB', r => r.server_peak_rss_mb],
  ['gen loop p99 ms', r => r.generator?.event_loop_delay_p99_ms, false],
  // The longest the disk held every request in flight during the window (bench/lib/disk.mjs).
  ['disk stall ms', r => r.disk?.longest_stall_ms, false],
  // A rung that failed on latency alone ran twice (bench/run.mjs): the p99 of the run not kept.
  ['other run p99 ms', r => r.earlier_attempt?.p99_ms, false],
]

/** Rows of the ladder: per scenario the ceiling, Mmessenger and the ratio Mmessenger / ceiling. */
export function comparisonRows(rungs) {
  const rows = [['scenario', 'target', ...COLUMNS.map(c => c[0]), 'pass']]
  for (const rung of rungs) {
    const c = rung.ceiling
    const m = rung.mmessenger
    if (c) rows.push([rung.scenario, 'ceiling', ...COLUMNS.map(([, get]) => fmt(get(c))), c.pass ? 'yes' : 'NO'])
    if (m) rows.push([c ? '' : rung.scenario, 'mmessenger', ...COLUMNS.map(([, get]) => fmt(get(m))), m.pass ? 'yes' : 'NO'])
    if (c && m) rows.push(['', 'ratio', ...COLUMNS.map(([, get, useRatio]) => (useRatio === false ? '' : fmt(ratio(get(m), get(c))) + 'x')), ''])
  }
  return rows
}

export const formatComparison = rungs => table(comparisonRows(rungs))

/**
 * Every round of the rungs played in rounds (bench/run.mjs runRungRounds): CPU, p99, the disk's
 * longest stall under Mmessenger's window (a commit waits for the disk) and whether each target's
 * round met its limits (no loss; p99 under the rung's limit), so a round that failed is seen even
 * when another round is kept.
 */
export function roundRows(rungs) {
  const rows = [['scenario', 'round', 'ceiling CPU µs/deliv', 'mmessenger CPU µs/deliv', 'CPU ratio', 'ceiling p99 ms', 'mmessenger p99 ms', 'mmessenger p99 limit ms', 'mmessenger disk stall ms', 'pass (ceiling / mmessenger)', 'kept']]
  const verdict = t => (t ? (t.pass ? 'yes' : 'NO') : '-')
  for (const rung of rungs) {
    for (const r of rung.rounds ?? []) {
      rows.push([rung.scenario, fmt(r.round), fmt(r.ceiling?.server_cpu_us_per_delivery), fmt(r.mmessenger?.server_cpu_us_per_delivery), r.cpu_ratio === undefined ? '' : `${fmt(r.cpu_ratio)}x`, fmt(r.ceiling?.p99_ms), fmt(r.mmessenger?.p99_ms), fmt(r.mmessenger?.p99_limit_ms), fmt(r.mmessenger?.disk_stall_ms), `${verdict(r.ceiling)} / ${verdict(r.mmessenger)}`, r.kept ? 'yes' : ''])
    }
  }
  return rows
}

export const formatRounds = rungs => table(roundRows(rungs))

export function markdownTable(rows) {
  const [head, ...body] = rows
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`, ...body.map(r => `| ${r.join(' | ')} |`)].join('\n')
}

export function idleRows(idle) {
  const rows = [['idle test', 'target', 'sockets', 'held s', 'RSS baseline MB', 'RSS connected MB', 'RSS per socket KB', 'ratio', 'after GC: RSS per socket KB', 'ratio', 'V8 heap per socket KB']]
  const c = idle.ceiling
  const m = idle.mmessenger
  for (const [name, r] of [['ceiling', c], ['mmessenger', m]]) {
    if (!r) continue
    const vs = key => (name === 'mmessenger' && c ? fmt(ratio(m[key], c[key])) + 'x' : '')
    rows.push([r.scenario, name, fmt(r.connections), fmt(r.duration_s), fmt(r.server_rss_baseline_mb, 1), fmt(r.server_rss_connected_mb, 1), fmt(r.rss_per_connection_kb), vs('rss_per_connection_kb'), fmt(r.rss_per_connection_after_gc_kb), vs('rss_per_connection_after_gc_kb'), fmt(r.heap_per_connection_after_gc_kb)])
  }
  return rows
}

export const formatIdle = idle => table(idleRows(idle))

const esc = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * p99 latency against delivered messages per second for each target's rate ladder, on log
 * axes, with the 100 ms knee line: a hand-written SVG so the chart needs no dependency.
 */
export function svgChart(series, { title, subtitle }) {
  const W = 800
  const H = 440
  const L = 70
  const R = 210
  const T = 60
  const B = 60
  const pts = series.flatMap(s => s.points).filter(p => p.x > 0 && p.y > 0)
  const xMin = 10 ** Math.floor(Math.log10(Math.min(...pts.map(p => p.x), 1000)))
  const xMax = 10 ** Math.ceil(Math.log10(Math.max(...pts.map(p => p.x), 10000)))
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...pts.map(p => p.y), 1)))
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...pts.map(p => p.y), 200)))
  const x = v => L + ((Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * (W - L - R)
  const y = v => H - B - ((Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - T - B)
  const out = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`)
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`)
  out.push(`<text x="${L}" y="24" font-size="16" font-weight="600">${esc(title)}</text>`)
  out.push(`<text x="${L}" y="42" fill="#555">${esc(subtitle)}</text>`)
  for (let d = Math.log10(xMin); d <= Math.log10(xMax); d++) {
    const v = 10 ** d
    for (const k of [1, 2, 5]) {
      const vv = v * k
      if (vv > xMax) break
      out.push(`<line x1="${x(vv).toFixed(1)}" x2="${x(vv).toFixed(1)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`)
      out.push(`<text x="${x(vv).toFixed(1)}" y="${H - B + 16}" text-anchor="middle" fill="#444">${vv >= 1000 ? `${vv / 1000}k` : vv}</text>`)
    }
  }
  for (let d = Math.log10(yMin); d <= Math.log10(yMax); d++) {
    const v = 10 ** d
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`)
    out.push(`<text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#444">${v}</text>`)
  }
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#999"/>`)
  out.push(`<line x1="${L}" x2="${W - R}" y1="${y(100).toFixed(1)}" y2="${y(100).toFixed(1)}" stroke="#c00" stroke-dasharray="5,4"/>`)
  out.push(`<text x="${W - R + 4}" y="${(y(100) + 4).toFixed(1)}" fill="#c00">p99 100 ms</text>`)
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 18}" text-anchor="middle">offered deliveries per second (log)</text>`)
  out.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">p99 latency, ms (log)</text>`)
  series.forEach((s, i) => {
    const p = s.points.filter(q => q.x > 0 && q.y > 0)
    if (p.length) {
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${p.map(q => `${x(q.x).toFixed(1)},${y(q.y).toFixed(1)}`).join(' ')}"/>`)
      for (const q of p) out.push(`<circle cx="${x(q.x).toFixed(1)}" cy="${y(q.y).toFixed(1)}" r="${q.fail ? 5 : 3.5}" fill="${q.fail ? '#fff' : s.color}" stroke="${s.color}" stroke-width="2"><title>${esc(`${s.name}: ${Math.round(q.x)}/s offered${q.delivered !== undefined ? `, ${q.delivered}/s delivered` : ''}, p99 ${q.y} ms${q.fail ? ' (fail)' : ''}`)}</title></circle>`)
    }
    const ly = T + 10 + i * 20
    out.push(`<line x1="${W - R + 10}" x2="${W - R + 34}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`)
    out.push(`<text x="${W - R + 40}" y="${ly + 4}">${esc(s.name)}</text>`)
  })
  out.push(`<text x="${W - R + 10}" y="${T + 10 + series.length * 20 + 4}" fill="#555">hollow: rung failed</text>`)
  out.push('</svg>')
  return out.join('\n') + '\n'
}
