// `npm run test:chaos`: the delivery contract under faults, Jepsen style. Docs: docs/chaos.md.
//
// Settings (environment variable or --flag=value):
//   CHAOS_PHASES   kill,db,cluster   which phases, in order
//   CHAOS_CLIENTS  12                WebSocket clients (users), each in two rooms
//   CHAOS_ROOMS    3                 rooms
//   CHAOS_RATE     8                 messages per second per client (and for the REST bot)
//   CHAOS_SECONDS  20                load time per phase; faults strike at fixed fractions of it
//   CHAOS_SETTLE   30                seconds allowed, after the load, for every send to be acked
//   CHAOS_DOWN_MS  1500              how long a killed component stays down before it is started again
//   CHAOS_CALM_MS  2000              after a fault heals and every client is back: calm before the next fault
//   CHAOS_JSON     (unset)           write the full results to this file
//   CHAOS_KEEP     (unset)           keep the work directory (logs, MariaDB data) for a look afterwards
import { writeFileSync } from 'node:fs'
import { ensureBuild, killOwned, makeWorkDir, removeWorkDir, startPrivateMariaDb } from './infra.mjs'
import { cluster, databaseRestart, serverKill } from './phases.mjs'
import { runScenario } from './scenario.mjs'

function setting(name, fallback) {
  const flag = process.argv.find(a => a.startsWith(`--${name.toLowerCase().replace(/^chaos_/, '')}=`))
  return flag ? flag.split('=').slice(1).join('=') : (process.env[name] || fallback)
}

const config = {
  phases: setting('CHAOS_PHASES', 'kill,db,cluster').split(',').map(s => s.trim()).filter(Boolean),
  clients: Number(setting('CHAOS_CLIENTS', 12)),
  rooms: Number(setting('CHAOS_ROOMS', 3)),
  rate: Number(setting('CHAOS_RATE', 8)),
  seconds: Number(setting('CHAOS_SECONDS', 20)),
  settleSeconds: Number(setting('CHAOS_SETTLE', 30)),
  downMs: Number(setting('CHAOS_DOWN_MS', 1500)),
  calmMs: Number(setting('CHAOS_CALM_MS', 2000)),
  json: setting('CHAOS_JSON', ''),
  keep: !!setting('CHAOS_KEEP', ''),
}
const PHASES = { kill: serverKill, db: databaseRestart, cluster }

const workDir = makeWorkDir()
let cleaned = false
function cleanup() {
  if (cleaned) return
  cleaned = true
  killOwned()
  if (config.keep) console.log(`chaos: kept ${workDir}`)
  else removeWorkDir(workDir)
}
process.on('exit', cleanup)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup()
    process.exit(130)
  })
}

function printPhase(r) {
  const m = r.messages
  console.log(`\n== ${r.phase}: ${r.title} -> ${r.ok ? 'PASS' : 'FAIL'}`)
  console.log(`   load ${r.seconds.load.toFixed(1)}s, settle ${r.seconds.settle.toFixed(1)}s, phase ${r.seconds.total.toFixed(1)}s`)
  console.log(`   messages: sent ${m.sent}, acked ${m.acked}, stored ${m.stored}, retries ${m.retries}, repeat acks ${m.repeat_acks}, ack timeouts ${m.ack_timeouts}`)
  const d = r.delivery
  console.log(`   delivery: ${d.live_frames} live frames (${d.duplicate_live_frames} duplicate), ${d.gaps_seen} gaps seen, ${d.events_caught_up} events caught up during the run, ${d.events_caught_up_at_end} at the final sync`)
  console.log(`   connections: ${r.connections.connects} connects, refused ${JSON.stringify(r.connections.refused_upgrades)}, error frames ${JSON.stringify(r.connections.error_frames)}`)
  console.log(`   REST: probe ${JSON.stringify(r.connections.rest_probe_statuses)}, bot ${JSON.stringify(r.connections.rest_bot_statuses)}`)
  for (const f of r.recovery) console.log(`   fault "${f.fault}": ${Object.entries(f).filter(([k]) => k !== 'fault').map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ')}`)
  for (const [name, s] of Object.entries(r.servers)) console.log(`   server ${name}: ${s.starts} start(s), ${s.errors} error lines, ${s.warnings} warnings, ${s.alarming} alarming, ${s.leaking} leaking a query`)
  for (const v of r.violations.slice(0, 20)) console.log(`   VIOLATION ${v.kind}: ${JSON.stringify(v.detail ?? v).slice(0, 400)}`)
  if (r.violations.length > 20) console.log(`   ... and ${r.violations.length - 20} more violations`)
}

async function main() {
  const unknown = config.phases.filter(p => !PHASES[p])
  if (unknown.length) throw new Error(`unknown phase(s) ${unknown.join(', ')}; choose from ${Object.keys(PHASES).join(', ')}`)
  ensureBuild()
  const started = Date.now()
  console.log(`chaos: ${config.clients} clients, ${config.rooms} rooms, ${config.rate} msg/s each, ${config.seconds}s load per phase, phases ${config.phases.join(', ')}`)
  const mariadb = await startPrivateMariaDb(workDir)
  const settings = await mariadb.settings()
  console.log(`chaos: private MariaDB ${settings.version} on port ${mariadb.port} (innodb_flush_log_at_trx_commit=${settings.flush}, sync_binlog=${settings.sync_binlog}, log_bin=${settings.log_bin})`)

  const results = []
  for (const name of config.phases) {
    console.log(`\nchaos: phase ${name} ...`)
    let result
    try {
      result = await runScenario(config, PHASES[name]({ config, workDir, mariadb }))
    }
    catch (err) {
      result = { phase: name, ok: false, crashed: true, violations: [{ kind: 'phase_did_not_complete', detail: String(err?.stack ?? err) }] }
      console.log(`   phase ${name} did not complete: ${err?.stack ?? err}`)
    }
    results.push(result)
    if (!result.crashed) printPhase(result)
  }

  const violations = results.reduce((n, r) => n + r.violations.length, 0)
  const summary = {
    ok: violations === 0 && results.every(r => r.ok),
    seconds: Math.round((Date.now() - started) / 1000),
    mariadb: settings,
    phases: results.map(r => ({ phase: r.phase, ok: r.ok, sent: r.messages?.sent, acked: r.messages?.acked, retries: r.messages?.retries, violations: r.violations.length })),
    violations,
  }
  if (config.json) writeFileSync(config.json, JSON.stringify({ config, summary, results }, null, 2))
  console.log(`\nCHAOS_RESULT ${JSON.stringify(summary)}`)
  console.log(summary.ok
    ? `\nchaos: PASS — ${results.length} phase(s), ${violations} violations, ${summary.seconds}s`
    : `\nchaos: FAIL — ${violations} violation(s) in ${results.filter(r => !r.ok).map(r => r.phase).join(', ')}; see above`)
  return summary.ok
}

main().then(
  (ok) => {
    cleanup()
    process.exit(ok ? 0 : 1)
  },
  (err) => {
    console.error(`chaos: FAIL — ${err?.stack ?? err}`)
    cleanup()
    process.exit(1)
  },
)
