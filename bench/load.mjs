// The load generator: C WebSocket connections in rooms of S members, K senders per room each
// sending r messages/s through the real protocol (join_room, send_message with client_msg_id),
// every delivery timed end to end and checked exactly-once per receiver.
//
//   npx node bench/load.mjs --target ceiling --scenario 1000:50:2:8 [--duration 10] [--warmup 2]
//   npx node bench/load.mjs --target mmessenger --scenario 1000:50:2:8      (needs `npm run build`)
//   npx node bench/load.mjs --target ceiling --scenario 5000:50:1:1 --hold 30  (idle: no sending)
//
// Prints one JSON line (the result) and a readable table. Only loopback is loaded; it stops by itself.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { offeredDeliveriesPerS, parseArgs, parseScenario } from './lib/args.mjs'
import { Histogram, round } from './lib/histogram.mjs'
import { cpuSeconds, cpuTimes, findDatabasePid, memory } from './lib/proc.mjs'
import { watchDisk } from './lib/disk.mjs'
import { createBenchDatabase, durabilitySettings, startCeiling, startMmessenger } from './lib/targets.mjs'
import { formatRun } from './lib/report.mjs'

const sleep = ms => new Promise(r => setTimeout(r, ms))
const MB = 1024 * 1024
const ELD_RESOLUTION_MS = 2
const NEW_MESSAGE_NEEDLE = Buffer.from('"type":"new_message"')
const CLIENT_MSG_ID_NEEDLE = Buffer.from('"client_msg_id":"')
// The JIT warm-up before every run (see warmUp): messages in all, and how many sockets send them.
const WARM_MESSAGES = 1000
const WARM_SENDERS = 4
const loopDelayMs = ns => round(Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS))

/**
 * Runs one scenario against a freshly started target and stops it again.
 * @param {object} o
 * @param {() => Promise<import('./lib/targets.mjs').Target>} o.start
 * @param {number} o.connections C
 * @param {number} o.roomSize S
 * @param {number} o.senders K, senders per room (0 for an idle run)
 * @param {number} o.rate r, messages per second per sender
 * @param {number} [o.duration] measured seconds of load
 * @param {number} [o.warmup] seconds of load before measuring (checked for loss, not timed)
 * @param {number} [o.hold] idle seconds with every socket open (idle run)
 * @param {number} [o.contentBytes] message size
 * @param {number} [o.rampRate] new connections per second at most
 * @param {number} [o.rampConcurrency] handshakes in flight at most
 * @param {number} [o.drainSeconds] how long to wait for late deliveries after the last send
 * @param {boolean} [o.deflate] offer permessage-deflate like a browser does
 * @param {boolean} [o.fullParse] JSON.parse every frame, also deliveries (slower, for checking)
 * @param {number} [o.warmMessages] messages sent through the warm-up sockets before the ramp
 * @param {(profile: object) => void} [o.onProfile] receives the CPU profile of the measured window
 *   when the target was started with `inspect`
 * @param {boolean} [o.quiet]
 */
export async function runScenario(o) {
  const S = o.roomSize
  const C = Math.floor(o.connections / S) * S
  const K = o.senders
  const rate = o.rate
  const duration = o.duration ?? 10
  const warmup = o.warmup ?? 2
  const hold = o.hold ?? 0
  const idle = K === 0 || rate === 0 || hold > 0
  const fastPath = !o.fullParse
  const log = o.quiet ? () => {} : (...a) => console.error('  ', ...a)
  const target = await o.start()
  // The database's CPU is charged to Mmessenger's deliveries; the ceiling has no database.
  const dbPid = target.name === 'mmessenger' ? findDatabasePid() : null
  const result = {
    target: target.name,
    scenario: idle ? `${C}:${S} idle ${hold}s` : `${C}:${S}:${K}:${rate}`,
    connections: C,
    room_size: S,
    senders_per_room: idle ? 0 : K,
    rate_per_sender: idle ? 0 : rate,
    duration_s: idle ? hold : duration,
    offered_deliveries_per_s: idle ? 0 : offeredDeliveriesPerS({ connections: C, senders: K, rate }),
  }
  const memSamples = { peak: 0 }
  const memTimer = setInterval(() => {
    const m = memory(target.pid)
    if (m && m.rss > memSamples.peak) memSamples.peak = m.rss
  }, 250)

  const sockets = new Array(C)
  let warmSockets = []
  const joined = new Uint8Array(C)
  const joinWaiters = new Array(C)
  const errorsByCode = {}
  let connectFailures = 0
  let firstConnectError = null
  let unexpectedCloses = 0
  let closing = false
  let foreign = 0
  let badFrames = 0
  let otherFrames = 0

  // --- load state (allocated once; the receive path only increments typed arrays) ---
  const tag = randomBytes(4).toString('hex')
  const tagPrefix = `${tag}:`
  const roomCount = C / S
  const senderCount = roomCount * K
  const perSender = idle ? 0 : Math.max(1, Math.round((warmup + duration) * rate))
  const M = senderCount * perSender
  const seen = new Uint8Array(idle ? 0 : M * S)
  const acked = new Uint8Array(M)
  const sentUs = new Float64Array(M).fill(Number.NaN)
  const latency = new Histogram()
  const ackLatency = new Histogram()
  const sendLag = new Histogram()
  // The worst latency of the messages sent in each 100 ms slice of the measured window: a p99
  // that one stall pushed up shows as one slice, steady slowness as many.
  const SLICE_US = 100_000
  const sliceMaxUs = new Float64Array(idle ? 0 : Math.ceil((duration * 1e6) / SLICE_US))
  let roomIds = []
  let wStartUs = Infinity
  let wEndUs = Infinity
  let inWindowDeliveries = 0
  let delivered = 0
  let duplicated = 0
  let misdelivered = 0
  let acks = 0
  let duplicateAcks = 0
  let sent = 0
  let lastProgress = 0

  /** Reads "<tag>:<m>:<sentUs>" without slicing strings; -1 if it is not one of ours. */
  let parsedSentUs = 0
  const parseId = (id) => {
    if (typeof id !== 'string' || !id.startsWith(tagPrefix)) return -1
    let i = tagPrefix.length
    let m = 0
    for (let ch = id.charCodeAt(i++); ch !== 58; ch = id.charCodeAt(i++)) {
      if (!(ch >= 48 && ch <= 57)) return -1
      m = m * 10 + ch - 48
    }
    let t = 0
    for (; i < id.length; i++) t = t * 10 + id.charCodeAt(i) - 48
    parsedSentUs = t
    return m < M ? m : -1
  }

  /** The same as parseId, read straight from the frame's bytes at `at`: no string is made. */
  const tagBytes = Buffer.from(tagPrefix)
  const parseIdBytes = (buf, at) => {
    if (at + tagBytes.length > buf.length) return -1
    for (let k = 0; k < tagBytes.length; k++) if (buf[at + k] !== tagBytes[k]) return -1
    let i = at + tagBytes.length
    let m = 0
    for (let ch = buf[i++]; ch !== 58; ch = buf[i++]) {
      if (!(ch >= 48 && ch <= 57)) return -1
      m = m * 10 + ch - 48
    }
    let t = 0
    for (let ch = buf[i++]; ch !== 34; ch = buf[i++]) {
      if (!(ch >= 48 && ch <= 57)) return -1
      t = t * 10 + ch - 48
    }
    parsedSentUs = t
    return m < M ? m : -1
  }

  const onDelivery = (c, p) => {
    const m = parseId(p?.client_msg_id)
    if (m < 0) {
      foreign++
      return
    }
    deliver(c, m)
  }

  const deliver = (c, m) => {
    const nowUs = performance.now() * 1000
    const room = Math.floor(Math.floor(m / perSender) / K)
    if (room !== Math.floor(c / S)) {
      misdelivered++
      return
    }
    const idx = m * S + (c % S)
    if (seen[idx] !== 0) {
      duplicated++
      if (seen[idx] < 255) seen[idx]++
      return
    }
    seen[idx] = 1
    delivered++
    lastProgress = nowUs
    if (parsedSentUs >= wStartUs && parsedSentUs < wEndUs) {
      const us = nowUs - parsedSentUs
      latency.add(us)
      const slice = Math.floor((parsedSentUs - wStartUs) / SLICE_US)
      if (us > sliceMaxUs[slice]) sliceMaxUs[slice] = us
    }
    if (nowUs >= wStartUs && nowUs < wEndUs) inWindowDeliveries++
  }

  const onAck = (p) => {
    const m = parseId(p?.client_msg_id)
    if (m < 0) return
    if (acked[m]) {
      duplicateAcks++
      return
    }
    acked[m] = 1
    acks++
    if (parsedSentUs >= wStartUs && parsedSentUs < wEndUs) ackLatency.add(performance.now() * 1000 - parsedSentUs)
  }

  const onFrame = (c, data) => {
    // Fast path for the one frame that counts: a new_message carrying one of our ids is read
    // without parsing it, which halves the generator's cost per delivery. --full-parse disables it.
    if (fastPath && data.indexOf(NEW_MESSAGE_NEEDLE) !== -1) {
      const at = data.indexOf(CLIENT_MSG_ID_NEEDLE)
      const m = at === -1 ? -1 : parseIdBytes(data, at + CLIENT_MSG_ID_NEEDLE.length)
      if (m >= 0) return deliver(c, m)
    }
    let msg
    try {
      // Everything the generator reads (type, ids, client_msg_id) is ASCII, and latin1 decoding
      // is a plain copy: cheaper than UTF-8 for the one parse each received frame costs.
      msg = JSON.parse(data.latin1Slice(0, data.length))
    }
    catch {
      badFrames++
      return
    }
    switch (msg.type) {
      case 'new_message': return onDelivery(c, msg.payload)
      case 'message_ack': return onAck(msg.payload)
      case 'room_joined':
        if (!joined[c] && msg.payload?.room_id === roomIds[Math.floor(c / S)]) {
          joined[c] = 1
          joinWaiters[c]?.()
        }
        return
      case 'error': {
        const code = msg.payload?.code ?? 'UNKNOWN'
        errorsByCode[code] = (errorsByCode[code] ?? 0) + 1
        if (!joined[c]) joinWaiters[c]?.()
        return
      }
      default:
        otherFrames++
    }
  }

  const openOne = (c, spec, onFrameOf) => new Promise((resolve) => {
    const ws = new WebSocket(spec.url, { headers: spec.headers, perMessageDeflate: !!o.deflate, handshakeTimeout: 30_000 })
    let done = false
    const finish = (err) => {
      if (done) return
      done = true
      if (err) {
        connectFailures++
        firstConnectError ??= err
      }
      resolve(ws)
    }
    joinWaiters[c] = () => finish(joined[c] ? null : 'join refused')
    ws.on('open', () => ws.send(JSON.stringify({ type: 'join_room', payload: { room_id: spec.roomId }, request_id: `join-${c}` })))
    ws.on('message', data => onFrameOf(data))
    ws.on('error', err => finish(err.message))
    ws.on('close', (code) => {
      if (!closing) unexpectedCloses++
      finish(`closed with ${code} before joining`)
    })
  })

  try {
    const { clients, warm } = await target.prepare(C, S)
    roomIds = []
    for (let r = 0; r < roomCount; r++) roomIds.push(clients[r * S].roomId)

    // Warm-up sockets (see WARM_SOCKETS) before the memory baseline, then let the server settle.
    // The idle test keeps a one-message warm-up: the JIT warm-up's garbage would sit in the memory
    // baseline and be reused by the sockets, hiding part of what they keep (the ceiling's RSS per
    // socket halved with it).
    warmSockets = await warmUp(warm, o.deflate, o.warmMessages ?? (idle ? 1 : WARM_MESSAGES))
    await settle(target.pid)
    const baseline = memory(target.pid)
    result.server_rss_baseline_mb = round(baseline.rss / MB, 1)
    const baselineGc = await memoryAfterGc(target)

    // --- connect at a bounded ramp ---
    const rampRate = o.rampRate ?? 1000
    const concurrency = o.rampConcurrency ?? 64
    const rampStart = performance.now()
    let next = 0
    const worker = async () => {
      while (next < C) {
        const c = next++
        const due = rampStart + (c * 1000) / rampRate
        const wait = due - performance.now()
        if (wait > 0) await sleep(wait)
        sockets[c] = await openOne(c, clients[c], data => onFrame(c, data))
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, C) }, worker))
    result.ramp_s = round((performance.now() - rampStart) / 1000)
    result.connect_failures = connectFailures
    if (firstConnectError) result.first_connect_error = firstConnectError
    log(`${target.name}: ${C - connectFailures}/${C} connected and joined in ${result.ramp_s} s`)

    // Work the connections started may still run (presence writes, join fan-out): wait until the
    // server is quiet, so the load does not start on top of the ramp's backlog.
    result.settle_s = round(await settle(target.pid))
    if (idle) {
      const holdEnd = performance.now() + hold * 1000
      while (performance.now() < holdEnd) await sleep(Math.min(1000, holdEnd - performance.now()))
    }
    const connectedMem = memory(target.pid)
    result.server_rss_connected_mb = round(connectedMem.rss / MB, 1)
    /** KB per open connection of the growth of one memory figure since the baseline. */
    const perConnectionKb = (key, now, before) => round((now[key] - before[key]) / 1024 / Math.max(1, C - connectFailures), 2)
    result.rss_per_connection_kb = perConnectionKb('rss', connectedMem, baseline)
    const connectedGc = baselineGc && await memoryAfterGc(target)
    if (connectedGc) {
      // What the sockets keep, without the garbage the ramp left that V8 has not collected yet.
      result.server_rss_connected_after_gc_mb = round(connectedGc.rss / MB, 1)
      result.rss_per_connection_after_gc_kb = perConnectionKb('rss', connectedGc, baselineGc)
      result.heap_per_connection_after_gc_kb = perConnectionKb('heapUsed', connectedGc, baselineGc)
      result.heap_total_per_connection_after_gc_kb = perConnectionKb('heapTotal', connectedGc, baselineGc)
      result.external_per_connection_after_gc_kb = perConnectionKb('external', connectedGc, baselineGc)
    }

    if (!idle) await drive()
    result.server_peak_rss_mb = round(Math.max(memSamples.peak, memory(target.pid)?.peak ?? 0) / MB, 1)
    result.frames_other = otherFrames
    result.frames_unparsable = badFrames
    result.unexpected_closes = unexpectedCloses
    result.errors = errorsByCode
    result.pass = idle ? connectFailures === 0 && unexpectedCloses === 0 : isPass(result)
  }
  finally {
    clearInterval(memTimer)
    closing = true
    await closeAll([...sockets, ...warmSockets])
    await target.stop()
  }
  return result

  async function drive() {
    // Each sender starts at a random phase so the room's sends do not arrive in bursts.
    const interval = 1000 / rate
    const dueMs = new Float64Array(M)
    for (let g = 0; g < senderCount; g++) {
      const phase = Math.random() * interval
      for (let k = 0; k < perSender; k++) dueMs[g * perSender + k] = phase + k * interval
    }
    const order = Uint32Array.from({ length: M }, (_, i) => i).sort((a, b) => dueMs[a] - dueMs[b])
    const pad = 'x'.repeat(Math.max(0, (o.contentBytes ?? 64) - 40))
    const msgsPerSecond = senderCount * rate
    // The generator stops sending when this many messages wait for their ack: the target is
    // overloaded and more sending would only make the run longer, not the result clearer.
    const overloadLimit = Math.max(2000, msgsPerSecond * 3)
    // The histogram records the whole timer interval, so the resolution is subtracted below.
    const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS })
    let overloaded = false
    let sendFailures = 0
    let cpu0, db0, gen0, t0

    const loadStart = performance.now()
    wStartUs = (loadStart + warmup * 1000) * 1000
    wEndUs = (loadStart + (warmup + duration) * 1000) * 1000
    let ptr = 0
    let windowOpen = false
    let windowClosed = false
    let cpu1, db1, gen1, t1, disk
    let profiling = null
    let diskWatch = null

    await new Promise((resolve) => {
      const tick = () => {
        const now = performance.now()
        if (!windowOpen && now * 1000 >= wStartUs) {
          windowOpen = true
          t0 = now
          cpu0 = cpuTimes(target.pid)
          db0 = dbPid ? cpuSeconds(dbPid) : null
          gen0 = process.cpuUsage()
          eld.enable()
          diskWatch = watchDisk()
          profiling = target.profiler?.start()
        }
        const elapsed = now - loadStart
        while (ptr < M && dueMs[order[ptr]] <= elapsed) {
          const m = order[ptr++]
          if (sent - acks > overloadLimit) {
            overloaded = true
            ptr = M
            break
          }
          const g = Math.floor(m / perSender)
          const room = Math.floor(g / K)
          const ws = sockets[room * S + (g % K)]
          if (!ws || ws.readyState !== WebSocket.OPEN) {
            sendFailures++
            continue
          }
          const us = Math.round(performance.now() * 1000)
          const id = `${tag}:${m}:${us}`
          ws.send(`{"type":"send_message","payload":{"room_id":${roomIds[room]},"content":"${id} ${pad}","client_msg_id":"${id}"},"request_id":"${m}"}`)
          sentUs[m] = us
          sent++
          sendLag.add(us - (loadStart + dueMs[m]) * 1000)
        }
        if (windowOpen && !windowClosed && now * 1000 >= wEndUs) {
          windowClosed = true
          t1 = now
          cpu1 = cpuTimes(target.pid)
          db1 = dbPid ? cpuSeconds(dbPid) : null
          gen1 = process.cpuUsage(gen0)
          eld.disable()
          disk = diskWatch.stop()
          if (profiling) profiling = profiling.then(() => target.profiler.stop())
        }
        if (windowClosed && ptr >= M) resolve()
        else setTimeout(tick, 1)
      }
      tick()
    })

    if (profiling) o.onProfile?.(await profiling)

    // --- drain: wait for every expected delivery and ack, or for progress to stop ---
    const expected = sent * S
    const drainLimit = performance.now() + (o.drainSeconds ?? 20) * 1000
    const drainStart = performance.now()
    lastProgress = performance.now() * 1000
    while ((delivered < expected || acks < sent) && performance.now() < drainLimit && performance.now() * 1000 - lastProgress < 5_000_000) await sleep(50)
    result.drain_s = round((performance.now() - drainStart) / 1000)

    let lost = 0
    let lostMessages = 0
    for (let m = 0; m < M; m++) {
      if (Number.isNaN(sentUs[m])) continue
      let missing = 0
      for (let j = 0, base = m * S; j < S; j++) if (seen[base + j] === 0) missing++
      lost += missing
      if (missing) lostMessages++
    }
    const windowS = (t1 - t0) / 1000
    const serverCpu = cpu1.total - cpu0.total
    const serverTicks = cpu1.user + cpu1.system - cpu0.user - cpu0.system
    Object.assign(result, {
      messages_sent: sent,
      messages_acked: acks,
      send_failures: sendFailures,
      deliveries_expected: expected,
      deliveries: delivered,
      lost,
      messages_with_loss: lostMessages,
      duplicated,
      duplicate_acks: duplicateAcks,
      misdelivered,
      foreign_deliveries: foreign,
      overloaded,
      deliveries_per_s: Math.round(inWindowDeliveries / windowS),
      latency_ms: latency.summary(),
      window_started_at: new Date(performance.timeOrigin + wStartUs / 1000).toISOString(),
      stalls: stalls(sliceMaxUs, SLICE_US),
      disk,
      ack_latency_ms: ackLatency.summary(),
      send_lag_ms: { p99: sendLag.percentileMs(99), max: round(sendLag.maxUs / 1000) },
      server_cpu_s: round(serverCpu, 3),
      server_cpu_pct: round((100 * serverCpu) / windowS, 1),
      // The kernel's part: socket writes (and the loopback delivery they trigger) are charged here.
      // Clock ticks split user from system time; the share is of the ticks counted.
      server_cpu_system_share: serverTicks > 0 ? round((cpu1.system - cpu0.system) / serverTicks, 2) : null,
      server_cpu_us_per_delivery: inWindowDeliveries ? round((serverCpu * 1e6) / inWindowDeliveries, 2) : null,
      db_cpu_us_per_delivery: db0 !== null && db1 !== null && inWindowDeliveries ? round(((db1 - db0) * 1e6) / inWindowDeliveries, 2) : null,
      generator: {
        cpu_pct: round((100 * (gen1.user + gen1.system)) / 1e6 / windowS, 1),
        event_loop_delay_p50_ms: loopDelayMs(eld.percentile(50)),
        event_loop_delay_p99_ms: loopDelayMs(eld.percentile(99)),
        event_loop_delay_max_ms: loopDelayMs(eld.max),
      },
    })
    // A generator that is itself out of CPU or blocked measures its own queue, not the server.
    result.generator.saturated = result.generator.cpu_pct > 90 || result.generator.event_loop_delay_p99_ms > 50
  }
}

/**
 * The slices whose worst delivery took over 3x the median slice's worst and at least 20 ms, worst
 * first (at most 5): when in the window (seconds from its start) and how long.
 */
function stalls(sliceMaxUs, sliceUs) {
  const sorted = [...sliceMaxUs].sort((a, b) => a - b)
  const typical = sorted[Math.floor(sorted.length / 2)] ?? 0
  return [...sliceMaxUs.entries()]
    .filter(([, us]) => us > 3 * typical && us >= 20_000)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([i, us]) => ({ at_s: round((i * sliceUs) / 1e6, 1), max_ms: round(us / 1000) }))
}

/** Every message reached every member exactly once and p99 stayed within 100 ms. */
export function isPass(r) {
  return r.connect_failures === 0 && r.lost === 0 && r.duplicated === 0 && r.misdelivered === 0
    && !r.overloaded && r.send_failures === 0 && r.latency_ms.p99_ms !== null && r.latency_ms.p99_ms <= 100
}

/**
 * With the target's inspector open: a full garbage collection, then its RSS and V8 heap in use.
 * @returns {Promise<{rss: number, heapUsed: number, heapTotal: number, external: number} | null>}
 */
async function memoryAfterGc(target) {
  if (!target.profiler) return null
  await target.profiler.call('HeapProfiler.collectGarbage')
  await sleep(500)
  const r = await target.profiler.call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())' })
  const usage = JSON.parse(r.result.value)
  return { rss: memory(target.pid).rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external }
}

/**
 * Waits until the process used under 10% of a core over half a second (at least 1 s, at most 20 s).
 * @returns seconds waited
 */
async function settle(pid) {
  const start = performance.now()
  await sleep(1000)
  let last = cpuSeconds(pid)
  while (performance.now() - start < 20_000) {
    await sleep(500)
    const now = cpuSeconds(pid)
    if (now === null || now - last < 0.05) break
    last = now
  }
  return (performance.now() - start) / 1000
}

/**
 * Opens every warm-up socket at once and joins, then WARM_SENDERS of them each send their share of
 * `messages` one after another, each waiting for its ack. A freshly started process runs its code
 * unoptimized until the JIT has seen it often enough: at tens of messages a second the measured
 * window would mostly time the compiler, not the server a deployment runs for days. Both targets
 * get the same warm-up, in a room of their own. The sockets stay open (and in the baseline) until
 * the end: closing them would start presence work mid-run.
 */
async function warmUp(specs, deflate, messages) {
  const sockets = []
  const deadline = new Promise((_, reject) => setTimeout(() => reject(new Error('the warm-up sockets got no answer in 60 s')), 60_000).unref())
  const joinedAll = Promise.all(specs.map(spec => new Promise((resolve, reject) => {
    const ws = new WebSocket(spec.url, { headers: spec.headers, perMessageDeflate: !!deflate, handshakeTimeout: 30_000 })
    sockets.push(ws)
    ws.on('error', err => reject(new Error(`warm-up connection failed: ${err.message}`)))
    ws.on('open', () => ws.send(JSON.stringify({ type: 'join_room', payload: { room_id: spec.roomId }, request_id: 'warm-join' })))
    const onJoin = (data) => {
      const msg = JSON.parse(data)
      if (msg.type === 'room_joined') {
        ws.off('message', onJoin)
        resolve(ws)
      }
      if (msg.type === 'error') reject(new Error(`warm-up refused: ${JSON.stringify(msg.payload)}`))
    }
    ws.on('message', onJoin)
  })))
  try {
    const joined = await Promise.race([joinedAll, deadline])
    // One message from one socket is the least that loads the send path (the idle test's warm-up:
    // more traffic would leave memory in the baseline that the idle sockets then reuse).
    const senders = joined.slice(0, messages > 1 ? Math.min(WARM_SENDERS, joined.length) : 1)
    const tag = `warm-${Date.now()}`
    const sendAll = async (ws, s) => {
      const count = Math.max(1, Math.floor(messages / senders.length))
      for (let i = 0; i < count; i++) {
        const id = `${tag}-${s}-${i}`
        const acked = new Promise((resolve, reject) => {
          const onAck = (data) => {
            const msg = JSON.parse(data)
            if (msg.type === 'message_ack' && msg.payload?.client_msg_id === id) {
              ws.off('message', onAck)
              resolve()
            }
            else if (msg.type === 'error' && msg.request_id === id) reject(new Error(`warm-up send refused: ${JSON.stringify(msg.payload)}`))
          }
          ws.on('message', onAck)
        })
        ws.send(JSON.stringify({ type: 'send_message', payload: { room_id: specs[0].roomId, content: `warm-up ${i}`, client_msg_id: id }, request_id: id }))
        await acked
      }
    }
    await Promise.race([Promise.all(senders.map(sendAll)), deadline])
    return sockets
  }
  catch (err) {
    await closeAll(sockets)
    throw err
  }
}

async function closeAll(sockets) {
  let open = 0
  const closed = new Promise((resolve) => {
    for (const ws of sockets) {
      if (!ws || ws.readyState === WebSocket.CLOSED) continue
      open++
      ws.once('close', () => --open === 0 && resolve())
      ws.close(1000)
    }
    if (open === 0) resolve()
  })
  await Promise.race([closed, sleep(3000)])
  for (const ws of sockets) if (ws && ws.readyState !== WebSocket.CLOSED) ws.terminate()
}

/** Command line: one scenario against one target. */
async function main() {
  const args = parseArgs()
  const targetName = args.target ?? 'ceiling'
  const sc = parseScenario(args.scenario ?? '1000:50:2:8')
  const hold = args.hold !== undefined ? Number(args.hold) : 0
  let db = null
  const nodeFlags = args['node-flags'] ? String(args['node-flags']).split(/\s+/).filter(Boolean) : []
  const cleanup = async () => db?.drop()
  process.once('SIGINT', () => cleanup().finally(() => process.exit(130)))
  try {
    if (targetName === 'mmessenger') db = await createBenchDatabase()
    // --gc opens the inspector (for a full GC before reading memory) instead of writing a CPU profile.
    const targetOptions = args.gc ? { inspect: true } : { cpuProfDir: args['cpu-prof-dir'] }
    const start = targetName === 'ceiling'
      ? () => startCeiling(targetOptions)
      : () => startMmessenger({ db, ...targetOptions, origin: !args['no-origin'], entry: args.server, nodeFlags })
    const result = await runScenario({
      start,
      ...sc,
      senders: hold ? 0 : sc.senders,
      hold,
      duration: Number(args.duration ?? 10),
      warmup: Number(args.warmup ?? 2),
      contentBytes: Number(args['content-bytes'] ?? 64),
      rampRate: Number(args['ramp-rate'] ?? 1000),
      deflate: !!args.deflate,
      fullParse: !!args['full-parse'],
      warmMessages: args['warm-messages'] !== undefined ? Number(args['warm-messages']) : undefined,
    })
    if (targetName === 'mmessenger') result.database = await durabilitySettings()
    console.log(JSON.stringify(result))
    console.log(formatRun(result))
  }
  finally {
    await cleanup()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err)
    process.exit(1)
  })
}
