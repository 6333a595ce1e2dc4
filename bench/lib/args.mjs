// A small argv parser: `--name value`, `--flag`, `--name=value`; no dependency.
export function parseArgs(argv = process.argv.slice(2)) {
  const out = { _: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) {
      out._.push(a)
      continue
    }
    const eq = a.indexOf('=')
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1)
    }
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) {
      out[a.slice(2)] = argv[++i]
    }
    else {
      out[a.slice(2)] = true
    }
  }
  return out
}

/** "C:S:K:r" -> {connections, roomSize, senders, rate}; r may be fractional. */
export function parseScenario(text) {
  const parts = String(text).split(':').map(Number)
  if (parts.length !== 4 || parts.some(n => !Number.isFinite(n) || n <= 0)) throw new Error(`scenario must look like C:S:K:r (got "${text}")`)
  const [connections, roomSize, senders, rate] = parts
  if (senders > roomSize) throw new Error('K (senders per room) cannot exceed S (room size)')
  if (connections < roomSize) throw new Error('C (connections) must be at least S (room size)')
  return { connections, roomSize, senders, rate }
}

/** Offered deliveries/s of a scenario: C/S rooms x K senders x r messages/s x S members. */
export const offeredDeliveriesPerS = ({ connections, senders, rate }) => connections * senders * rate
