// One phase of the chaos run: fresh database, users, rooms and clients; load for a while with faults
// injected on a timeline; then settle (every send acked), sync every client, and check.
import { ChaosClient } from './client.mjs'
import { checkRooms } from './checker.mjs'
import { api, apiOk } from './http.mjs'
import { RestSender } from './rest-sender.mjs'
import { scanServerLog, sleep } from './infra.mjs'

const INTERNALS = /ECONN|PROTOCOL_|ER_[A-Z_]+|SELECT |INSERT |UPDATE |mysql|maria|drizzle|stack|\bat \S+ \(/i

function newRecord() {
  const record = {
    violations: [],
    sends: new Map(),
    ackTimes: [],
    liveLog: [],
    stats: {
      sent: 0, acked: 0, retries: 0, repeatAcks: 0, ackTimeouts: 0, errorFrames: {}, refusedUpgrades: {},
      connects: 0, liveFrames: 0, duplicateLiveFrames: 0, gapsSeen: 0, caughtUp: 0, caughtUpAtEnd: 0, catchupFailures: 0,
      restStatuses: {}, restUnanswered: 0,
    },
  }
  /** A 5xx must still be the protocol's `{error, code}` and carry nothing internal. */
  record.checkErrorBody = (res, what) => {
    const body = res.body
    if (!body || typeof body.error !== 'string' || typeof body.code !== 'string') record.violations.push({ kind: 'error_body_not_protocol', detail: { what, status: res.status, text: res.text.slice(0, 200) } })
    else if (INTERNALS.test(res.text)) record.violations.push({ kind: 'error_leaks_internals', detail: { what, status: res.status, text: res.text.slice(0, 200) } })
  }
  return record
}

async function register(base, username) {
  const body = await apiOk(base, 'POST', '/auth/register', { body: { email: `${username}@example.test`, username, password: 'chaos horse battery' } })
  return { user: body.user, token: body.access_token }
}

/** Reads GET /rooms/:id/messages a few times a second, so a fault is also seen through plain REST. */
function startProber(record, urls, token, roomId) {
  let running = true
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const url = urls[i % urls.length]
      const res = await api(url, 'GET', `/rooms/${roomId}/messages?limit=1`, { token, timeoutMs: 10_000 })
      record.stats.restStatuses[res.status] = (record.stats.restStatuses[res.status] ?? 0) + 1
      if (res.status === 0 && res.error === 'TimeoutError') record.stats.restUnanswered++
      if (res.status >= 500) record.checkErrorBody(res, 'GET /rooms/:id/messages')
      await sleep(200)
    }
  })()
  return async () => {
    running = false
    await loop
  }
}

function firstAfter(times, t) {
  let best = Infinity
  for (const x of times) if (x >= t && x < best) best = x
  return best
}

/** The longest pause between consecutive acks from the last ack before `from`, cut off at `to`. */
function longestAckGap(times, from, to) {
  const sorted = [...times].sort((a, b) => a - b)
  let previous = sorted.filter(t => t < from).at(-1) ?? from
  let gap = 0
  for (const t of sorted) {
    if (t < from) continue
    gap = Math.max(gap, Math.min(t, to) - previous)
    previous = t
    if (t >= to) break
  }
  return gap
}

/**
 * @param {object} config the run's settings (clients, rooms, rate, seconds, settleSeconds, downMs)
 * @param {object} spec name, title, setup() -> {servers, base, cleanup}, faults [{at (0..1), name, kind, run(env)}], check(record, env)
 */
export async function runScenario(config, spec) {
  const record = newRecord()
  const phaseStart = Date.now()
  const tag = `${spec.name}${Date.now().toString(36)}`
  const env = await spec.setup(tag)
  const urls = env.servers.map(s => s.url)
  const base = urls[0]
  const clients = []
  let bot
  let stopProber = async () => {}
  try {
    // Users, rooms (each user in two of them), clients spread over the instances.
    const people = await Promise.all(Array.from({ length: config.clients + 1 }, (_, i) => register(base, `${tag}u${i}`)))
    const botPerson = people.pop()
    const roomCount = Math.min(config.rooms, config.clients)
    const members = Array.from({ length: roomCount }, () => [])
    people.forEach((p, i) => {
      members[i % roomCount].push(p)
      if (roomCount > 1) members[(i + 1) % roomCount].push(p)
    })
    members[0].push(botPerson)
    const rooms = []
    for (const [r, list] of members.entries()) {
      const [owner, ...rest] = list
      const room = await apiOk(base, 'POST', '/rooms', { token: owner.token, body: { name: `${tag} room ${r}`, member_ids: rest.map(p => p.user.id) } })
      rooms.push({ id: room.id, ownerToken: owner.token, members: list.map(p => p.user.id) })
    }
    people.forEach((p, i) => {
      const roomIds = rooms.filter(r => r.members.includes(p.user.id)).map(r => r.id)
      const rotated = [...urls.slice(i % urls.length), ...urls.slice(0, i % urls.length)]
      clients.push(new ChaosClient({ index: i, user: p.user, token: p.token, roomIds, urls: rotated, tag, shared: record, rate: config.rate }))
    })
    bot = new RestSender({ user: botPerson.user, token: botPerson.token, roomId: rooms[0].id, urls, tag, shared: record, rate: config.rate })

    env.clients = clients
    env.record = record
    for (const c of clients) c.start()
    await waitUntil(() => clients.every(c => c.open), 15_000, 'every client connected')
    stopProber = startProber(record, urls, people[0].token, rooms[0].id)

    // Load, with the faults on their timeline.
    const loadStart = Date.now()
    for (const c of clients) c.startSending()
    bot.start()
    const faults = []
    // After each fault, the system gets a calm spell (clients back, acks flowing) before the next
    // fault or the end of the load, however slow the restart was.
    const calm = async () => {
      await waitUntil(() => clients.every(c => c.open), 30_000, 'clients to reconnect').catch(() => undefined)
      await sleep(config.calmMs)
    }
    for (const fault of spec.faults) {
      const due = loadStart + fault.at * config.seconds * 1000
      await sleep(Math.max(0, due - Date.now()))
      const at = Date.now()
      console.log(`  [${((at - loadStart) / 1000).toFixed(1)}s] ${fault.name}`)
      // A fault that goes on observing after the healing says when it healed.
      const { healedAt = Date.now(), ...detail } = (await fault.run(env)) ?? {}
      faults.push({ name: fault.name, kind: fault.kind, at, healedAt, detail })
      // A fault may name what "recovered" means beyond reconnected clients (e.g. the Redis relay).
      if (fault.recovered) await waitUntil(() => fault.recovered(record, healedAt), 20_000, `recovery from ${fault.name}`).catch(() => undefined)
      await calm()
    }
    await sleep(Math.max(0, loadStart + config.seconds * 1000 - Date.now()))
    const loadEnd = Date.now()

    // Settle: no new messages; everything not acked is retried until it is.
    for (const c of clients) c.stopSending()
    const settleMs = config.settleSeconds * 1000
    await bot.stop(settleMs)
    // Connected too: a client whose sends were all acked before a fault must still find its way back.
    await waitUntil(() => clients.every(c => c.open && c.unacked.size === 0), settleMs, 'every send acked').catch(() => undefined)
    for (const c of clients) if (!c.open) record.violations.push({ kind: 'client_not_reconnected', detail: { client: c.index, url: c.url } })
    const settled = Date.now()
    await stopProber()

    // Final sync: each member fills its view up to the room's last seq, as after a reconnect.
    const live = env.servers.filter(s => s.running).map(s => s.url)[0] ?? base
    for (const room of rooms) {
      const info = await apiOk(live, 'GET', `/rooms/${room.id}`, { token: room.ownerToken })
      await Promise.all(clients.filter(c => c.views.has(room.id)).map(c => c.syncTo(room.id, info.last_seq)))
    }
    await Promise.all(clients.map(c => c.stop()))

    const checked = await checkRooms({ base: live, rooms, clients, sends: record.sends })
    record.violations.push(...checked.violations)

    // The servers: no crash we did not cause, nothing alarming in their logs.
    const logs = {}
    for (const server of env.servers) {
      for (const exit of server.unexpectedExits) record.violations.push({ kind: 'server_died_by_itself', detail: { server: server.name, ...exit } })
      const scan = scanServerLog(server.log())
      logs[server.name] = { starts: server.starts, errors: scan.errors, warnings: scan.warnings, alarming: scan.alarming.length, leaking: scan.leaks.length }
      for (const line of scan.alarming.slice(0, 5)) record.violations.push({ kind: 'alarming_server_log_line', detail: { server: server.name, line: line.slice(0, 300) } })
      for (const line of scan.leaks.slice(0, 3)) record.violations.push({ kind: 'server_log_leaks_query', detail: { server: server.name, count: scan.leaks.length, line: line.slice(0, 300) } })
    }
    if (record.stats.restUnanswered) record.violations.push({ kind: 'rest_request_unanswered_10s', detail: { count: record.stats.restUnanswered } })
    for (const extra of (await spec.check?.(record, env, { clients, faults, loadStart })) ?? []) record.violations.push(extra)

    if (process.env.CHAOS_DEBUG) {
      for (const c of clients) console.log(`   client ${c.index}: ${[...c.closes.map(x => ({ ...x, e: 'close' })), ...c.connects.map(x => ({ ...x, e: 'open' }))].sort((x, y) => x.at - y.at).map(x => `${x.e}@${((x.at - loadStart) / 1000).toFixed(1)}${x.code ? `(${x.code})` : ''}`).join(' ')}`)
    }
    const recovery = faults.map((f, i) => {
      // Each fault is measured until the next one strikes (or 30 s, or the end of settling).
      const until = Math.min(faults[i + 1]?.at ?? Infinity, f.at + 30_000, settled)
      const ackGap = longestAckGap(record.ackTimes, f.at, until)
      const firstAck = firstAfter(record.ackTimes, f.healedAt)
      const out = { fault: f.name, back_ms: f.healedAt - f.at, acks_resumed_ms: Number.isFinite(firstAck) ? firstAck - f.at : null, longest_ack_gap_ms: ackGap, ...f.detail }
      if (f.kind === 'socket') out.all_reconnected_ms = reconnectedAfter(clients, f.at, until)
      if (f.kind === 'redis') {
        const resumed = crossInstanceAfter(record, f.healedAt)
        out.relay_resumed_ms = Number.isFinite(resumed) ? resumed - f.at : null
      }
      return out
    })
    const s = record.stats
    return {
      phase: spec.name,
      title: spec.title,
      ok: record.violations.length === 0,
      seconds: { load: (loadEnd - loadStart) / 1000, settle: (settled - loadEnd) / 1000, total: (Date.now() - phaseStart) / 1000 },
      messages: { sent: s.sent, acked: s.acked, retries: s.retries, repeat_acks: s.repeatAcks, ack_timeouts: s.ackTimeouts, stored: checked.rooms.reduce((n, r) => n + r.messages, 0) },
      delivery: { live_frames: s.liveFrames, duplicate_live_frames: s.duplicateLiveFrames, gaps_seen: s.gapsSeen, events_caught_up: s.caughtUp, events_caught_up_at_end: s.caughtUpAtEnd, catchup_failures: s.catchupFailures },
      connections: { connects: s.connects, refused_upgrades: s.refusedUpgrades, error_frames: s.errorFrames, rest_probe_statuses: s.restStatuses, rest_bot_statuses: bot.statuses },
      recovery,
      rooms: checked.rooms,
      servers: logs,
      violations: record.violations,
    }
  }
  finally {
    await stopProber()
    await Promise.all(clients.map(c => c.stop()))
    if (bot) bot.abandoned = true
    await env.cleanup()
  }
}

async function waitUntil(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** How long after `t` until every client whose socket dropped after `t` had a new one. */
function reconnectedAfter(clients, t, until) {
  let worst = 0
  for (const c of clients) {
    const drop = c.closes.find(x => x.at >= t && x.at < until)
    if (!drop) continue
    const back = c.connects.find(x => x.at >= drop.at)
    worst = Math.max(worst, back ? back.at - t : Infinity)
  }
  return Number.isFinite(worst) ? worst : null
}

/** The first live new_message after `t` that crossed from one instance to another through Redis. */
export function crossInstanceAfter(record, t) {
  let first = Infinity
  for (const frame of record.liveLog) {
    if (frame.at < t || frame.at >= first) continue
    const send = record.sends.get(frame.cmid)
    if (send?.ack && send.ack.url !== frame.url) first = frame.at
  }
  return first
}
