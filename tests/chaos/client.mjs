// One chaos client: a user with one WebSocket who sends unique messages with client_msg_id, records
// every ack, retries (same client_msg_id) whatever was not acked, reconnects with backoff (to the
// next instance when its own goes away) and keeps a per-room view keyed by seq, built from live
// frames and filled from GET /rooms/:id/events whenever it sees a gap or reconnects.
import WebSocket from 'ws'
import { api } from './http.mjs'

const ACK_TIMEOUT_MS = 5000
const BACKOFF_MIN_MS = 100
const BACKOFF_MAX_MS = 2000
const MAX_UNACKED = 40

const jitter = ms => Math.round(ms * (0.75 + Math.random() * 0.5))

/** A room as this client has seen it: events by seq, and the highest seq below which nothing is missing. */
class RoomView {
  events = new Map()
  contiguous = 0
  catchingUp = false
  catchupAgain = false
}

/** What a room event says, reduced to what identifies it. */
function entryOf(type, payload) {
  if (type === 'new_message') return { type, id: payload.id, client_msg_id: payload.client_msg_id, content: payload.content, sender_id: payload.sender?.id ?? null }
  return { type }
}

export class ChaosClient {
  /**
   * @param {object} o
   * @param {number} o.index
   * @param {{id: number, username: string}} o.user
   * @param {string} o.token
   * @param {number[]} o.roomIds rooms the user is a member of
   * @param {string[]} o.urls server base URLs; the first is where this client starts
   * @param {string} o.tag unique prefix of this run's client_msg_ids
   * @param {object} o.shared the phase's shared record: {violations, sends (cmid -> send), stats}
   */
  constructor({ index, user, token, roomIds, urls, tag, shared, rate }) {
    Object.assign(this, { index, user, token, roomIds, urls, tag, shared, rate })
    this.urlIndex = 0
    this.views = new Map(roomIds.map(id => [id, new RoomView()]))
    this.sends = new Map()
    this.unacked = new Set()
    this.generation = 0
    this.backoff = BACKOFF_MIN_MS
    this.sending = false
    this.stopped = false
    this.ws = null
    this.open = false
    this.counter = 0
    this.closes = []
    this.connects = []
    this.errorCodes = {}
  }

  get url() {
    return this.urls[this.urlIndex % this.urls.length]
  }

  violation(kind, detail) {
    this.shared.violations.push({ kind, client: this.index, detail })
  }

  start() {
    this.connect()
    this.sweeper = setInterval(() => this.sweep(), 250)
  }

  startSending() {
    this.sending = true
    const tick = () => {
      if (!this.sending) return
      if (this.unacked.size < MAX_UNACKED) this.newMessage()
      this.sendTimer = setTimeout(tick, jitter(1000 / this.rate))
    }
    this.sendTimer = setTimeout(tick, Math.random() * 1000 / this.rate)
  }

  stopSending() {
    this.sending = false
    clearTimeout(this.sendTimer)
  }

  /** Stops everything: no reconnects, sockets closed normally. */
  async stop() {
    this.stopSending()
    this.stopped = true
    clearInterval(this.sweeper)
    clearTimeout(this.reconnectTimer)
    const ws = this.ws
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise((resolve) => {
        ws.once('close', resolve)
        ws.close(1000)
        setTimeout(() => {
          ws.terminate()
          resolve()
        }, 2000)
      })
    }
  }

  connect() {
    if (this.stopped) return
    const url = this.url
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(this.token)}`, { headers: { origin: url }, handshakeTimeout: 5000 })
    this.ws = ws
    const generation = ++this.generation
    let opened = false
    ws.on('open', () => {
      opened = true
      this.open = true
      this.backoff = BACKOFF_MIN_MS
      this.connects.push({ at: Date.now(), url })
      this.shared.stats.connects++
      // Everything not acked yet goes again on this connection; then fill what we missed.
      for (const cmid of this.unacked) this.sends.get(cmid).awaiting = false
      this.sweep()
      for (const roomId of this.roomIds) this.catchUp(roomId)
    })
    ws.on('message', data => this.onFrame(data, generation, url))
    ws.on('unexpected-response', (_req, res) => {
      this.shared.stats.refusedUpgrades[res.statusCode] = (this.shared.stats.refusedUpgrades[res.statusCode] ?? 0) + 1
      ws.terminate()
    })
    ws.on('error', () => { /* followed by close */ })
    ws.on('close', (code) => {
      if (this.ws !== ws) return
      this.open = false
      this.ws = null
      if (opened) this.closes.push({ at: Date.now(), url, code })
      for (const cmid of this.unacked) this.sends.get(cmid).awaiting = false
      if (this.stopped) return
      // The instance is going away (1001) or does not answer: try the next one, if there is one.
      if (code === 1001 || !opened) this.urlIndex++
      this.reconnectTimer = setTimeout(() => this.connect(), jitter(this.backoff))
      this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS)
    })
  }

  newMessage() {
    const roomId = this.roomIds[this.counter % this.roomIds.length]
    const n = ++this.counter
    const cmid = `${this.tag}-c${this.index}-${n}`
    const send = { cmid, roomId, senderId: this.user.id, client: this.index, content: `chaos ${cmid} ${Math.random().toString(36).slice(2, 10)}`, attempts: 0, awaiting: false, retryAt: 0, errors: 0, createdAt: Date.now(), ack: null }
    this.sends.set(cmid, send)
    this.shared.sends.set(cmid, send)
    this.unacked.add(cmid)
    this.shared.stats.sent++
    this.transmit(send)
  }

  transmit(send) {
    if (!this.open || !this.ws) return
    send.attempts++
    if (send.attempts > 1) this.shared.stats.retries++
    send.awaiting = true
    send.lastAttemptAt = Date.now()
    this.ws.send(JSON.stringify({ type: 'send_message', payload: { room_id: send.roomId, content: send.content, client_msg_id: send.cmid }, request_id: `${send.cmid}#${send.attempts}` }))
  }

  /** Resends what was never sent on this connection, what got an error, and what waited too long. */
  sweep() {
    if (!this.open) return
    const now = Date.now()
    for (const cmid of this.unacked) {
      const send = this.sends.get(cmid)
      if (send.awaiting && now - send.lastAttemptAt < ACK_TIMEOUT_MS) continue
      if (!send.awaiting && now < send.retryAt) continue
      if (send.awaiting) this.shared.stats.ackTimeouts++
      this.transmit(send)
    }
  }

  onFrame(data, generation, url) {
    let frame
    try {
      frame = JSON.parse(data.toString())
    }
    catch {
      return this.violation('bad_frame', data.toString().slice(0, 200))
    }
    const p = frame.payload ?? {}
    switch (frame.type) {
      case 'message_ack':
        return this.onAck(p, url)
      case 'error':
        return this.onError(p, frame.request_id)
      case 'new_message':
        this.shared.stats.liveFrames++
        this.shared.liveLog?.push({ at: Date.now(), url, cmid: p.client_msg_id, receiver: this.index })
        return this.apply(p.room_id, p.event_seq ?? p.seq, entryOf('new_message', p), generation)
      default:
        if (typeof p.event_seq === 'number' && this.views.has(p.room_id)) this.apply(p.room_id, p.event_seq, entryOf(frame.type, p), generation)
    }
  }

  onAck(p, url) {
    const send = this.sends.get(p.client_msg_id)
    if (!send) return this.violation('ack_for_unknown_message', p.client_msg_id)
    const m = p.message
    if (!m || m.client_msg_id !== send.cmid || m.room_id !== send.roomId || m.content !== send.content || m.sender?.id !== send.senderId) {
      return this.violation('ack_does_not_match_send', { cmid: send.cmid, message: m })
    }
    if (send.ack) {
      this.shared.stats.repeatAcks++
      if (send.ack.id !== m.id || send.ack.seq !== m.seq) this.violation('two_messages_acked_for_one_client_msg_id', { cmid: send.cmid, first: send.ack, second: { id: m.id, seq: m.seq } })
      return
    }
    send.ack = { id: m.id, seq: m.seq, created_at: m.created_at, at: Date.now(), url, attempts: send.attempts }
    this.unacked.delete(send.cmid)
    this.shared.stats.acked++
    this.shared.ackTimes.push(send.ack.at)
  }

  onError(p, requestId) {
    const code = p.code ?? 'UNKNOWN'
    this.errorCodes[code] = (this.errorCodes[code] ?? 0) + 1
    this.shared.stats.errorFrames[code] = (this.shared.stats.errorFrames[code] ?? 0) + 1
    const cmid = typeof requestId === 'string' ? requestId.split('#')[0] : undefined
    const send = cmid && this.sends.get(cmid)
    if (!send || send.ack) return
    // Retry later with the same client_msg_id, backing off while the server is in trouble.
    send.awaiting = false
    send.errors++
    send.retryAt = Date.now() + jitter(Math.min(BACKOFF_MIN_MS * 2 ** Math.min(send.errors, 5), BACKOFF_MAX_MS))
  }

  apply(roomId, seq, entry, generation, source = 'live') {
    const view = this.views.get(roomId)
    if (!view || !Number.isInteger(seq)) return
    const existing = view.events.get(seq)
    if (existing) {
      if (existing.type !== entry.type || existing.id !== entry.id || existing.client_msg_id !== entry.client_msg_id) this.violation('two_events_for_one_seq', { roomId, seq, existing, entry })
      else if (source === 'live' && existing.generation === generation && existing.source === 'live') this.shared.stats.duplicateLiveFrames++
      return
    }
    view.events.set(seq, { ...entry, source, generation })
    if (source === 'catchup') this.shared.stats.caughtUp++
    if (source === 'final') this.shared.stats.caughtUpAtEnd++
    while (view.events.has(view.contiguous + 1)) view.contiguous++
    if (seq > view.contiguous + 1 && source === 'live') {
      this.shared.stats.gapsSeen++
      this.catchUp(roomId)
    }
  }

  /**
   * Fetches the room's events after the last seq we hold without a gap, until there are no more.
   * `source` is 'catchup' during the run, 'final' for the last sync after the load stopped.
   */
  async catchUp(roomId, source = 'catchup') {
    const view = this.views.get(roomId)
    if (view.catchingUp) {
      view.catchupAgain = true
      return
    }
    view.catchingUp = true
    let failures = 0
    try {
      do {
        view.catchupAgain = false
        for (;;) {
          const res = await api(this.url, 'GET', `/rooms/${roomId}/events?after_seq=${view.contiguous}&limit=500`, { token: this.token, timeoutMs: 5000 })
          if (res.status === 410) {
            this.violation('resync_required', { roomId, after: view.contiguous })
            return
          }
          if (res.status !== 200) {
            this.shared.stats.catchupFailures++
            if (this.stopped) return
            // The instance may be down: wait, and follow the socket to whichever URL it moved to.
            await new Promise(r => setTimeout(r, jitter(Math.min(BACKOFF_MIN_MS * 2 ** Math.min(++failures, 5), BACKOFF_MAX_MS))))
            continue
          }
          for (const event of res.body) this.apply(roomId, event.seq, entryOf(event.type, event.payload), this.generation, source)
          if (res.body.length < 500) break
        }
      } while (view.catchupAgain)
    }
    finally {
      view.catchingUp = false
    }
  }

  /** The final sync: each room filled up to the server's last_seq (waits for a catch-up already running). */
  async syncTo(roomId, lastSeq) {
    const view = this.views.get(roomId)
    const deadline = Date.now() + 30_000
    while (view.contiguous < lastSeq && Date.now() < deadline) {
      await this.catchUp(roomId, 'final')
      if (view.contiguous < lastSeq) await new Promise(r => setTimeout(r, 100))
    }
  }
}
