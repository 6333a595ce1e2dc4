// `npm run bench`: the scenario ladder against the bare Node ceiling and against Mmessenger in the
// same run, every Mmessenger figure next to the ceiling's as a ratio (absolute numbers on a shared
// machine drift from run to run; ratios measured minutes apart drift much less).
//
//   npm run bench                       full ladder + knee search + idle test (about 20 minutes)
//   npm run bench -- --quick            two small rungs and a short idle test (under 2 minutes)
//   npm run bench -- --only ceiling     just the ceiling (or --only mmessenger)
//   npm run bench -- --scenario 1000:50:2:16 [--duration 10]     one rung
//   npm run bench -- --profile [--scenario 1000:50:2:8] [--only mmessenger] [--profile-whole]
//                                       profile the server(s) during a rung, rank hot paths
//   npm run bench -- --server ../before/.output/server/index.mjs   benchmark another build
//   npm run bench -- --in-turn          play the slow rungs in turn too (see SIDE_BY_SIDE_UP_TO)
//
// Writes bench/results/latest.json, bench/results/latest.md and docs/bench.svg (not with --scenario
// or --profile, which write bench/results/scenario.json or bench/results/profile-*.{json,txt}).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { offeredDeliveriesPerS, parseArgs, parseScenario } from './lib/args.mjs'
import { formatProfile, summarizeProfile } from './lib/cpuprofile.mjs'
import { round } from './lib/histogram.mjs'
import { formatComparison, formatIdle, formatRounds, formatRun, comparisonRows, idleRows, markdownTable, roundRows, svgChart } from './lib/report.mjs'
import { runLoadProcess } from './lib/load-process.mjs'
import { createBenchDatabase, durabilitySettings, ROOT, SERVER_ENTRY, startCeiling, startMmessenger } from './lib/targets.mjs'
import { runScenario } from './load.mjs'

const args = parseArgs()
const RESULTS = join(ROOT, 'bench', 'results')
const targets = args.only ? [args.only] : ['ceiling', 'mmessenger']
for (const t of targets) if (!['ceiling', 'mmessenger'].includes(t)) throw new Error(`--only takes ceiling or mmessenger (got "${t}")`)
const quick = !!args.quick
const duration = Number(args.duration ?? (quick ? 3 : 10))
const warmup = Number(args.warmup ?? (quick ? 1 : 2))
// The whole ladder stops climbing once this much time has passed, so `npm run bench` is bounded.
const budgetS = Number(args['budget-s'] ?? (quick ? 150 : 24 * 60))

const FIXED = quick ? ['200:20:1:5', '500:50:2:4'] : ['200:20:1:5', '1000:50:2:2', '2000:100:1:2']
// The fixed rungs decide the CPU target at low rates, where one run is noisiest: each is played
// in five rounds and the median round kept (runRungRounds). Side by side a round takes one run's
// time, so five cost less than three in turn did.
const ROUNDS = Math.max(1, Number(args.rounds ?? (quick ? 1 : 5)))
// ...and each round measures a 20 s window instead of 10. At 1,000 deliveries/s a 10 s window holds
// 500 messages, and its CPU ratio strayed over 1.53-2.05x in ten rounds on one host in one hour; 20 s
// windows read 1.79-2.04x there, around the same centre (bench/README.md, "Side by side or in turn").
const FIXED_DURATION = Number(args['fixed-duration'] ?? args.duration ?? (quick ? 3 : 20))
const KNEE_BASE = '1000:50:2'
const KNEE_RATES = quick ? [] : String(args.rates ?? '4,8,12,16,24,32,40,48,56,64').split(',').map(Number)
const IDLE = { connections: Number(args['idle-sockets'] ?? (quick ? 500 : 5000)), roomSize: 50, hold: Number(args['idle-hold'] ?? (quick ? 3 : 30)) }

const started = Date.now()
const elapsedS = () => (Date.now() - started) / 1000
let db = null

async function main() {
  if (args['report-only']) return writeReports(JSON.parse(readFileSync(join(RESULTS, 'latest.json'), 'utf8')))
  if (targets.includes('mmessenger')) {
    ensureBuild()
    db = await createBenchDatabase()
  }
  const meta = await describeRun()
  console.error(`bench: ${meta.command} on ${meta.machine.cpus} x ${meta.machine.cpu_model}, node ${meta.machine.node}, load ${meta.machine.loadavg_start.join(' ')}`)
  if (meta.database) console.error(`bench: MariaDB ${meta.database.version}, innodb_flush_log_at_trx_commit=${meta.database.innodb_flush_log_at_trx_commit}, sync_binlog=${meta.database.sync_binlog}, log_bin=${meta.database.log_bin}`)

  if (args.profile) return profile(meta)
  if (args.scenario) {
    const rung = await runRungRounds(args.scenario, targets, Math.max(1, Number(args.rounds ?? 1)))
    console.log(formatComparison([rung]))
    if (rung.rounds) console.log(formatRounds([rung]))
    save('scenario.json', { ...meta, finished_at: new Date().toISOString(), rungs: [rung] })
    return
  }

  const rungs = []
  for (const sc of FIXED) rungs.push(await runRungRounds(sc, targets, ROUNDS, FIXED_DURATION))

  // The knee: raise the rate at C:S:K until p99 passes 100 ms or anything is lost. A target stops
  // climbing at its first rung that lost, duplicated or could not keep up with the offered rate,
  // or after three rungs in a row that failed on p99 alone (each already run twice): on a shared
  // machine slow rungs between passing ones are the neighbours' doing, not a knee.
  const kneeLadder = rungs.filter(r => r.scenario.startsWith(`${KNEE_BASE}:`))
  const latencyFails = Object.fromEntries(targets.map(t => [t, 0]))
  const climbing = new Set(targets)
  const step = (t, r) => {
    if (!r) return
    if (r.pass) latencyFails[t] = 0
    else if (latencyOnlyFailure(r)) latencyFails[t]++
    else climbing.delete(t)
    if (latencyFails[t] >= 3) climbing.delete(t)
  }
  for (const r of kneeLadder) for (const t of targets) step(t, r[t])
  for (const rate of KNEE_RATES) {
    if (!climbing.size) break
    if (elapsedS() > budgetS - 90) {
      console.error(`bench: time budget reached after ${Math.round(elapsedS())} s; the knee search stops here`)
      break
    }
    const scenario = `${KNEE_BASE}:${rate}`
    const rung = await runRung(scenario, [...climbing], undefined, judgedOnP99(scenario) ? FIXED_DURATION : duration)
    rungs.push(rung)
    kneeLadder.push(rung)
    for (const t of [...climbing]) step(t, rung[t])
  }
  const knee = {}
  for (const t of KNEE_RATES.length ? targets : []) {
    const best = kneeLadder.filter(r => r[t]?.pass).at(-1)?.[t]
    knee[t] = {
      deliveries_per_s: best?.deliveries_per_s ?? 0,
      scenario: best?.scenario ?? null,
      // Still passing on the last rate tried: the real knee lies above it.
      at_least: climbing.has(t),
    }
  }

  const idle = {}
  if (!args['no-idle']) {
    for (const t of targets) {
      console.error(`bench: idle test, ${t}: ${IDLE.connections} sockets held ${IDLE.hold} s`)
      // With the inspector open, the idle test also reads memory after a forced full GC.
      idle[t] = await runScenario({ start: starter(t, { inspect: true }), connections: IDLE.connections, roomSize: IDLE.roomSize, senders: 0, rate: 0, hold: IDLE.hold, quiet: false })
      console.error(formatRun(idle[t]))
    }
  }

  const results = { ...meta, finished_at: new Date().toISOString(), elapsed_s: Math.round(elapsedS()), machine: { ...meta.machine, loadavg_end: os.loadavg().map(l => round(l)) }, rungs, knee, idle, targets: evaluate(rungs, knee, idle) }
  results.warnings = warnings(results)
  console.log('')
  console.log(formatComparison(rungs))
  if (ROUNDS > 1) console.log(formatRounds(rungs))
  if (Object.keys(idle).length) console.log('\n' + formatIdle(idle))
  if (KNEE_RATES.length) console.log('\nknee (p99 <= 100 ms, nothing lost, at ' + KNEE_BASE + ':r): ' + targets.map(t => `${t} ${knee[t].at_least ? '>= ' : ''}${knee[t].deliveries_per_s.toLocaleString('en-US')}/s`).join(', '))
  for (const check of results.targets) console.log(`${check.pass ? 'PASS' : 'FAIL'}  ${check.name}: ${check.detail}`)
  for (const w of results.warnings) console.log(`WARNING  ${w}`)
  if (quick) console.log('\n(--quick: a smoke run; the knee and the full idle test need the full ladder)')
  console.log(JSON.stringify({ knee, targets: results.targets.map(t => ({ name: t.name, pass: t.pass })) }))

  save('latest.json', results)
  writeReports(results)
  console.error(`bench: wrote bench/results/latest.json, bench/results/latest.md and docs/bench.svg in ${Math.round(elapsedS())} s`)
}

/** latest.md and docs/bench.svg from a result (`--report-only` redraws them from latest.json). */
function writeReports(results) {
  writeFileSync(join(RESULTS, 'latest.md'), markdown(results))
  mkdirSync(join(ROOT, 'docs'), { recursive: true })
  writeFileSync(join(ROOT, 'docs', 'bench.svg'), chart(results))
}

/** @param {{cpuProfDir?: string, inspect?: boolean}} [prof] */
function starter(t, prof = {}) {
  return t === 'ceiling' ? () => startCeiling(prof) : () => startMmessenger({ db, ...prof, origin: !args['no-origin'], entry: args.server })
}

/**
 * Runs a rung `rounds` times (the targets side by side or taking turns, see SIDE_BY_SIDE_UP_TO)
 * and keeps the round with the median CPU ratio (Mmessenger / ceiling; with one target, its median
 * CPU; of an even number, the lower middle one). One run of a target on this shared machine reads
 * its CPU per delivery to about +-10% (pairs of the same build, bench:pair); the median of several
 * rounds is far steadier, and each round is still one honest pair. Every round's figures stay in
 * the results (`rounds`).
 */
async function runRungRounds(scenario, which, rounds, windowS = duration) {
  const played = []
  for (let i = 0; i < rounds; i++) {
    if (rounds > 1) console.error(`bench: ${scenario} round ${i + 1} of ${rounds}`)
    played.push(await runRung(scenario, which, undefined, windowS))
  }
  if (played.length === 1) return played[0]
  const cpu = r => r?.server_cpu_us_per_delivery ?? null
  const key = r => (r.ceiling && r.mmessenger ? cpu(r.mmessenger) / cpu(r.ceiling) : cpu(r[which[0]]))
  const order = played.map((r, i) => ({ i, k: key(r) })).filter(x => Number.isFinite(x.k)).sort((a, b) => a.k - b.k)
  const kept = order.length ? played[order[Math.floor((order.length - 1) / 2)].i] : played[0]
  kept.rounds = played.map((r, i) => ({
    kept: r === kept,
    ...Object.fromEntries(which.map((t) => {
      const p99 = r[t]?.latency_ms?.p99_ms ?? null
      const limit = p99LimitMs(t, r)
      // A run's own verdict knows only the 100 ms line; a round is judged by the same limit as a rung.
      return [t, { server_cpu_us_per_delivery: cpu(r[t]), p99_ms: p99, p99_limit_ms: round(limit, 2), disk_stall_ms: r[t]?.disk?.longest_stall_ms ?? null, pass: !!r[t]?.pass && p99 !== null && p99 <= limit }]
    })),
    ...(r.ceiling && r.mmessenger ? { cpu_ratio: round(key(r), 4) } : {}),
    round: i + 1,
  }))
  return kept
}

/**
 * Rungs up to this offered rate play both targets at the same time, each with its own load
 * generator process (bench/lib/load-process.mjs): together they use a few per cent of the machine,
 * and whatever else the shared machine does in that minute slows both alike. Played in turn, a
 * minute apart, the CPU ratio of 200:20:1:5 spread over 1.58-2.15x in six rounds; side by side,
 * over 1.83-2.00x in eight, around the same centre (bench/README.md, "Side by side or in turn").
 * Faster rungs load the machine enough that the two would slow each other: they run in turn.
 */
const SIDE_BY_SIDE_UP_TO = 4_000
const sideBySide = (scenario, which, prof) => !prof && !args['in-turn'] && which.length === 2 && offeredDeliveriesPerS(parseScenario(scenario)) <= SIDE_BY_SIDE_UP_TO

/** Both targets at once, each from its own load.mjs process; resolves with both results. */
async function playSideBySide(scenario, windowS) {
  console.error(`bench: ceiling and mmessenger side by side, ${scenario} (${Math.round(elapsedS())} s elapsed)`)
  const extra = [...(args.deflate ? ['--deflate'] : []), ...(args['full-parse'] ? ['--full-parse'] : []), ...(args['no-origin'] ? ['--no-origin'] : [])]
  const common = { scenario, duration: windowS, warmup, extra }
  const [ceiling, mmessenger] = await Promise.all([
    runLoadProcess({ target: 'ceiling', ...common }),
    runLoadProcess({ target: 'mmessenger', entry: args.server, ...common }),
  ])
  for (const r of [ceiling, mmessenger]) console.error(formatRun(r))
  return { ceiling, mmessenger }
}

async function runRung(scenario, which, prof, windowS = duration) {
  const sc = parseScenario(scenario)
  const together = sideBySide(scenario, which, prof)
  const rung = together ? { scenario, side_by_side: true } : { scenario }
  const pair = together ? await playSideBySide(scenario, windowS) : null
  for (const t of which) {
    const play = async () => {
      if (together) return (await playSideBySide(scenario, windowS))[t]
      console.error(`bench: ${t} ${scenario} (${Math.round(elapsedS())} s elapsed)`)
      const r = await runScenario({ start: starter(t, prof), ...sc, duration: windowS, warmup, deflate: !!args.deflate, fullParse: !!args['full-parse'], onProfile: prof?.onProfile && (p => prof.onProfile(t, p)) })
      console.error(formatRun(r))
      return r
    }
    rung[t] = pair ? pair[t] : await play()
    // Other work on a shared machine, or a disk that holds one commit for hundreds of ms, can push
    // one rung's p99 over a line: a rung that failed a latency limit alone is run once more and the
    // better run kept, whatever the target (side by side, both play again and this target's run is
    // the one compared). Loss is never retried away.
    const limit = p99LimitMs(t, rung)
    if (!prof && !quick && latencyOnlyFailure(rung[t], limit)) {
      console.error(`bench: ${t} ${scenario} failed on latency alone (p99 ${rung[t].latency_ms.p99_ms} > ${limit} ms); running it once more`)
      const again = await play()
      const first = rung[t]
      const kept = again.latency_ms.p99_ms < first.latency_ms.p99_ms && (again.pass || !first.pass) ? again : first
      const other = kept === first ? again : first
      rung[t] = kept
      kept.earlier_attempt = { p99_ms: other.latency_ms.p99_ms, pass: other.pass, disk: other.disk, stalls: other.stalls }
    }
  }
  return rung
}

/** Issue 6 holds Mmessenger's p99 to 2x the ceiling's in the same rung + 10 ms up to this rate. */
const P99_RATIO_UP_TO = 16_000
/**
 * The knee search's rungs at or under P99_RATIO_UP_TO measure the fixed rungs' longer window too.
 * At 16,000/s a 10 s window that opens 3.5 s after the 1,000-socket ramp holds the major GC of
 * the ramp's garbage in every run (20-40 ms of stalls at 1-4 s into it), and one such stall moves
 * a 10 s p99 by several ms; over 20 s it weighs half, over 60 s the p99 read 4.8-6.1 ms with a
 * major GC inside (bench/README.md, "A major GC in a 10 s window").
 */
const judgedOnP99 = scenario => offeredDeliveriesPerS(parseScenario(scenario)) <= P99_RATIO_UP_TO
const p99AllowanceMs = ceiling => 2 * ceiling.latency_ms.p99_ms + 10

/**
 * The p99 a run must stay under: 100 ms (the knee's line), and for Mmessenger up to
 * P99_RATIO_UP_TO deliveries/s also the allowance next to the ceiling.
 */
function p99LimitMs(t, rung) {
  const c = rung.ceiling
  if (t !== 'mmessenger' || !c?.latency_ms?.p99_ms || c.offered_deliveries_per_s > P99_RATIO_UP_TO) return 100
  return Math.min(100, p99AllowanceMs(c))
}

/**
 * Over the p99 limit while the server kept up (everything delivered within 3 s of the last send,
 * nothing lost): what a busy neighbour causes. A server that falls behind builds a backlog and
 * drains for longer.
 */
function latencyOnlyFailure(r, limitMs = 100) {
  const slow = !r.pass || !(r.latency_ms?.p99_ms <= limitMs)
  return slow && r.senders_per_room > 0 && r.lost === 0 && r.duplicated === 0 && r.misdelivered === 0
    && r.connect_failures === 0 && r.send_failures === 0 && !r.overloaded && r.drain_s <= 3
}

/**
 * Profiles the server(s) under one rung with V8's CPU profiler. By default only the measured
 * window is profiled (through the inspector); --profile-whole uses `node --cpu-prof` for the whole
 * process life, start-up and connection ramp included.
 */
async function profile(meta) {
  const scenario = args.scenario ?? '1000:50:2:8'
  const dir = join(RESULTS, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'))
  mkdirSync(dir, { recursive: true })
  const whole = !!args['profile-whole']
  const profiles = {}
  const prof = whole
    ? { cpuProfDir: dir }
    : {
        inspect: true,
        onProfile: (t, p) => {
          const file = join(dir, `${t}-window.cpuprofile`)
          writeFileSync(file, JSON.stringify(p))
          profiles[t] = file
        },
      }
  const rung = await runRung(scenario, targets, prof)
  console.log(formatComparison([rung]))
  if (whole) {
    for (const f of readdirSync(dir)) {
      const t = targets.find(x => f.startsWith(`${x}-`))
      if (t) profiles[t] = join(dir, f)
    }
  }
  for (const t of targets) {
    if (!profiles[t]) {
      console.error(`bench: no profile was written for ${t}`)
      continue
    }
    const summary = summarizeProfile(profiles[t], { top: 30, label: `${t} ${scenario} (${whole ? 'whole process' : 'measured window'})` })
    const text = formatProfile(summary)
    console.log(`\n=== ${t} ${scenario}: hottest functions ===\n${text}`)
    save(`profile-${t}.json`, { ...meta, scenario, window_only: !whole, result: rung[t], profile: summary })
    writeFileSync(join(RESULTS, `profile-${t}.txt`), `${meta.command}\n\n${text}\n`)
  }
  console.error(`bench: raw profiles in ${dir} (open them in Chrome DevTools > Performance)`)
}

/** What makes this run's latency figures less trustworthy than its CPU and memory ratios. */
function warnings(r) {
  const out = []
  const busy = Math.max(r.machine.loadavg_start[0], r.machine.loadavg_end[0])
  if (busy > r.machine.cpus) out.push(`the machine was busy with other work (load average up to ${busy} on ${r.machine.cpus} cores): latency and the knee are pessimistic; CPU per delivery and memory per socket are affected much less`)
  const weakCeiling = r.rungs.filter(x => x.ceiling && !x.ceiling.pass && x.ceiling.offered_deliveries_per_s <= 16_000)
  if (weakCeiling.length) out.push(`the bare ceiling itself failed at ${weakCeiling.map(x => x.scenario).join(', ')}: this run measured the machine's contention, rerun the latency figures on a quiet machine`)
  const saturated = r.rungs.flatMap(x => targets.filter(t => x[t]?.generator?.saturated).map(t => `${t} ${x.scenario}`))
  if (saturated.length) out.push(`the load generator was saturated (CPU > 90% or loop delay p99 > 50 ms) on ${saturated.join(', ')}`)
  return out
}

/** The targets of issue 6 for Mmessenger, each as a ratio to the ceiling measured in this run. */
function evaluate(rungs, knee, idle) {
  if (!targets.includes('ceiling') || !targets.includes('mmessenger')) return []
  const both = rungs.filter(r => r.ceiling && r.mmessenger)
  const checks = []
  const lossy = both.filter(r => r.mmessenger.lost || r.mmessenger.duplicated || r.mmessenger.misdelivered)
  checks.push({ name: 'no lost or duplicated delivery on any rung', pass: lossy.length === 0, detail: lossy.length ? lossy.map(r => `${r.scenario}: lost ${r.mmessenger.lost}, dup ${r.mmessenger.duplicated}`).join('; ') : `${both.length} rungs clean` })
  const cpu = both.filter(r => !r.mmessenger.overloaded && r.ceiling.server_cpu_us_per_delivery && r.mmessenger.server_cpu_us_per_delivery)
    .map(r => ({ scenario: r.scenario, ratio: r.mmessenger.server_cpu_us_per_delivery / r.ceiling.server_cpu_us_per_delivery }))
  const worstCpu = cpu.reduce((a, b) => (b.ratio > (a?.ratio ?? 0) ? b : a), null)
  checks.push({ name: 'server CPU per delivery within 2x the ceiling', pass: !!worstCpu && worstCpu.ratio <= 2, detail: worstCpu ? `worst ${worstCpu.ratio.toFixed(2)}x at ${worstCpu.scenario}` : 'not measured' })
  const low = both.filter(r => r.ceiling.offered_deliveries_per_s <= P99_RATIO_UP_TO)
  const slow = low.filter(r => !(r.mmessenger.latency_ms?.p99_ms <= p99AllowanceMs(r.ceiling)))
  // A failure names the longest disk stall of the run kept and of the other run, if there was one.
  const diskNote = (m) => {
    const stalls = [m.disk, m.earlier_attempt?.disk].filter(Boolean).map(d => d.longest_stall_ms)
    return stalls.length ? `, disk stalled ${stalls.join(' and ')} ms` : ''
  }
  checks.push({ name: 'p99 within 2x the ceiling + 10 ms up to 16,000 deliveries/s', pass: low.length > 0 && slow.length === 0, detail: (slow.length ? slow : low).map(r => `${r.scenario}: ${r.mmessenger.latency_ms?.p99_ms} vs ${r.ceiling.latency_ms.p99_ms} ms${slow.length ? `${r.mmessenger.earlier_attempt ? ` (other run ${r.mmessenger.earlier_attempt.p99_ms} ms)` : ''}${diskNote(r.mmessenger)}` : ''}`).join('; ') })
  if (knee.ceiling && knee.mmessenger && KNEE_RATES.length) {
    const k = knee.mmessenger.deliveries_per_s
    checks.push({ name: 'knee at least half the ceiling\'s', pass: knee.ceiling.deliveries_per_s > 0 && k >= knee.ceiling.deliveries_per_s / 2, detail: `${k}/s vs ${knee.ceiling.at_least ? '>= ' : ''}${knee.ceiling.deliveries_per_s}/s` })
    checks.push({ name: 'knee at least 32,000 deliveries/s', pass: k >= 32_000, detail: `${knee.mmessenger.at_least ? '>= ' : ''}${k}/s` })
  }
  if (idle.ceiling && idle.mmessenger) {
    // After a full GC when measured: RSS as read moves by whatever garbage V8 has not collected yet.
    const key = idle.ceiling.rss_per_connection_after_gc_kb !== undefined && idle.mmessenger.rss_per_connection_after_gc_kb !== undefined ? 'rss_per_connection_after_gc_kb' : 'rss_per_connection_kb'
    const m = idle.mmessenger[key]
    const c = idle.ceiling[key]
    const r = m / c
    const heap = idle.mmessenger.heap_per_connection_after_gc_kb !== undefined ? `; V8 heap ${idle.mmessenger.heap_per_connection_after_gc_kb} vs ${idle.ceiling.heap_per_connection_after_gc_kb} KB; as read ${idle.mmessenger.rss_per_connection_kb} vs ${idle.ceiling.rss_per_connection_kb} KB` : ''
    checks.push({ name: 'idle RSS per socket within 1.5x the ceiling\'s', pass: c > 0 && r <= 1.5, detail: `${m} vs ${c} KB${key.includes('gc') ? ' after a full GC' : ''} (${r.toFixed(2)}x)${heap}` })
  }
  return checks
}

function ensureBuild() {
  if (args.server) return
  if (args.build || !existsSync(SERVER_ENTRY)) {
    console.error('bench: building Mmessenger (npm run build)')
    const res = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] })
    if (res.status !== 0) throw new Error('npm run build failed')
  }
}

async function describeRun() {
  const git = (...a) => {
    try {
      return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    }
    catch {
      return null
    }
  }
  return {
    command: `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
    started_at: new Date(started).toISOString(),
    git: { commit: git('rev-parse', '--short', 'HEAD'), dirty: !!git('status', '--porcelain') },
    build: targets.includes('mmessenger') && existsSync(args.server ?? SERVER_ENTRY) ? { entry: args.server ?? '.output/server/index.mjs', built_at: statSync(args.server ?? SERVER_ENTRY).mtime.toISOString() } : null,
    machine: {
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model.trim(),
      memory_gb: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      loadavg_start: os.loadavg().map(l => round(l)),
    },
    database: targets.includes('mmessenger') ? await durabilitySettings() : null,
    options: { quick, duration_s: duration, fixed_duration_s: FIXED_DURATION, long_windows_up_to: P99_RATIO_UP_TO, warmup_s: warmup, fixed: FIXED, fixed_rounds: ROUNDS, side_by_side_up_to: args['in-turn'] ? 0 : SIDE_BY_SIDE_UP_TO, knee_base: KNEE_BASE, knee_rates: KNEE_RATES, idle: IDLE, deflate: !!args.deflate },
  }
}

function save(name, data) {
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(join(RESULTS, name), JSON.stringify(data, null, 2) + '\n')
}

function markdown(r) {
  const lines = [
    `# Mmessenger benchmark: \`${r.command}\``,
    '',
    `Run ${r.started_at} (${r.elapsed_s} s) at commit ${r.git.commit}${r.git.dirty ? ' (uncommitted changes)' : ''}; ${r.machine.cpus} x ${r.machine.cpu_model}, Node ${r.machine.node}, load average ${r.machine.loadavg_start.join(' ')} at the start and ${r.machine.loadavg_end.join(' ')} at the end.`,
    'Server and load generator share the machine. Each cell is one run of ' + `${r.options.warmup_s} s warm-up + ${r.options.duration_s} s measured; "ratio" is Mmessenger / ceiling.`
    + (r.rungs.some(x => x.side_by_side) ? ` Rungs up to ${r.options.side_by_side_up_to.toLocaleString('en-US')} deliveries/s ran both targets at the same time, each with its own load generator process; faster ones ran them in turn.` : '')
    + (r.options.fixed_duration_s && r.options.fixed_duration_s !== r.options.duration_s ? ` The first ${r.options.fixed.length} rungs${r.options.long_windows_up_to ? `, and the knee search's rungs up to ${r.options.long_windows_up_to.toLocaleString('en-US')} deliveries/s,` : ''} measured ${r.options.fixed_duration_s} s instead.` : '')
    + (r.options.fixed_rounds > 1 ? ` The first ${r.options.fixed.length} rungs were each played ${r.options.fixed_rounds} times; the table shows the round with the median CPU ratio, and every round is listed below it.` : ''),
  ]
  if (r.database) lines.push(`MariaDB ${r.database.version}: innodb_flush_log_at_trx_commit=${r.database.innodb_flush_log_at_trx_commit}, sync_binlog=${r.database.sync_binlog}, log_bin=${r.database.log_bin}.`)
  lines.push('', 'Scenario C:S:K:r = C connections in rooms of S members, K senders per room, r messages/s each; deliveries/s = C/S x K x r x S.', '', markdownTable(comparisonRows(r.rungs)), '')
  if (r.rungs.some(x => x.rounds)) lines.push(markdownTable(roundRows(r.rungs)), '')
  if (Object.keys(r.knee).length) lines.push(`Knee (highest rate at ${KNEE_BASE}:r with p99 <= 100 ms and nothing lost): ${Object.entries(r.knee).map(([t, k]) => `${t} ${k.at_least ? '>= ' : ''}${k.deliveries_per_s.toLocaleString('en-US')} deliveries/s`).join(', ')}.`, '')
  if (Object.keys(r.idle).length) lines.push(markdownTable(idleRows(r.idle)), '')
  for (const w of r.warnings) lines.push(`> **Warning:** ${w}.`, '')
  if (r.targets.length) {
    lines.push('| issue 6 target | result | detail |', '|---|---|---|')
    for (const t of r.targets) lines.push(`| ${t.name} | ${t.pass ? 'pass' : '**fail**'} | ${t.detail} |`)
    lines.push('')
  }
  lines.push('![p99 latency against deliveries per second](../../docs/bench.svg)', '')
  return lines.join('\n')
}

function chart(r) {
  const colors = { ceiling: '#1f77b4', mmessenger: '#d62728' }
  const measured = ['ceiling', 'mmessenger'].filter(t => r.rungs.some(x => x[t]))
  const series = measured.map(t => ({
    name: `${t}${r.knee[t] ? ` (knee ${r.knee[t].at_least ? '>=' : ''}${Math.round(r.knee[t].deliveries_per_s / 1000)}k/s)` : ''}`,
    color: colors[t],
    // Plotted at the offered rate, so the ladder reads left to right even where a target fell behind.
    points: r.rungs.filter(x => x.scenario.startsWith(`${KNEE_BASE}:`) && x[t]).map(x => ({ x: x[t].offered_deliveries_per_s, y: x[t].latency_ms?.p99_ms ?? 0, fail: !x[t].pass, delivered: x[t].deliveries_per_s })),
  }))
  const busy = Math.max(r.machine.loadavg_start[0], r.machine.loadavg_end[0])
  return svgChart(series, { title: `p99 delivery latency, ${KNEE_BASE.replace(/:/g, ' / ')} (C / S / K), rising rate`, subtitle: `${r.command} · ${r.started_at.slice(0, 16).replace('T', ' ')} UTC · ${r.machine.cpus} cores shared by server, generator and database${busy > r.machine.cpus ? ` · load average up to ${busy}` : ''}` })
}

const cleanup = async () => {
  await db?.drop().catch(err => console.error(`bench: could not drop ${db.name}: ${err.message}`))
}
process.once('SIGINT', () => {
  cleanup().finally(() => process.exit(130))
})
main().then(cleanup, async (err) => {
  console.error(err)
  await cleanup()
  process.exit(1)
})
