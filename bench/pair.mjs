// Paired before/after comparison of two Mmessenger builds: both run the same rung at the same
// time, each with its own load generator and database, so whatever else the machine does in
// that minute slows both alike. One sequential run against another drifts by 10-30% on a shared
// 2-core machine; the ratio of a pair run together stayed within 0.95-1.05 (same build on both sides).
//
//   npx node bench/pair.mjs --before ../before/.output/server/index.mjs [--after .output/server/index.mjs]
//                           [--scenario 200:20:1:5] [--duration 20] [--pairs 4]
//   npx node bench/pair.mjs --before .output/server/index.mjs --after-flags="--max-semi-space-size=8"
//     (the same build with and without V8 flags; write --after-flags=... with "=": the value starts with "--")
//
// Prints each pair's server CPU per delivery and p99, then the median after/before ratios, and
// one JSON line. The two runs load the machine twice as much as one: compare the ratios, not the
// absolute figures, with `npm run bench`'s.
import { parseArgs, parseScenario } from './lib/args.mjs'
import { round } from './lib/histogram.mjs'
import { runLoadProcess } from './lib/load-process.mjs'
import { SERVER_ENTRY } from './lib/targets.mjs'

const args = parseArgs()
if (!args.before) {
  console.error('usage: bench/pair.mjs --before <server entry> [--after <server entry>] [--before-flags=...] [--after-flags=...] [--scenario C:S:K:r] [--duration s] [--pairs n]')
  process.exit(2)
}
const scenario = String(args.scenario ?? '200:20:1:5')
parseScenario(scenario)
const duration = Number(args.duration ?? 20)
const pairs = Number(args.pairs ?? 4)
const sides = {
  before: { entry: String(args.before), flags: String(args['before-flags'] ?? '') },
  after: { entry: String(args.after ?? SERVER_ENTRY), flags: String(args['after-flags'] ?? '') },
}

/** One run of bench/load.mjs against one build, in its own process; resolves with its JSON result. */
const run = ({ entry, flags }) => runLoadProcess({ target: 'mmessenger', scenario, duration, entry, nodeFlags: flags })

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const results = []
for (let i = 0; i < pairs; i++) {
  // Alternate which side starts first: the second one ramps up while the first already runs.
  const order = i % 2 ? ['after', 'before'] : ['before', 'after']
  const started = {}
  for (const side of order) started[side] = run(sides[side])
  const before = await started.before
  const after = await started.after
  const pair = {
    before: { cpu_us: before.server_cpu_us_per_delivery, p99_ms: before.latency_ms.p99_ms, lost: before.lost },
    after: { cpu_us: after.server_cpu_us_per_delivery, p99_ms: after.latency_ms.p99_ms, lost: after.lost },
  }
  pair.cpu_ratio = pair.after.cpu_us / pair.before.cpu_us
  pair.p99_ratio = pair.after.p99_ms / pair.before.p99_ms
  results.push(pair)
  console.log(`pair ${i + 1}: CPU µs/delivery ${pair.before.cpu_us} -> ${pair.after.cpu_us} (${pair.cpu_ratio.toFixed(3)}x), p99 ms ${pair.before.p99_ms} -> ${pair.after.p99_ms}, lost ${pair.before.lost}/${pair.after.lost}`)
}
const summary = {
  scenario, duration_s: duration, before: sides.before, after: sides.after,
  median_cpu_ratio: round(median(results.map(r => r.cpu_ratio)), 3),
  median_p99_ratio: round(median(results.map(r => r.p99_ratio)), 3),
  pairs: results,
}
console.log(`median after/before: CPU ${summary.median_cpu_ratio}x, p99 ${summary.median_p99_ratio}x`)
console.log(JSON.stringify(summary))
