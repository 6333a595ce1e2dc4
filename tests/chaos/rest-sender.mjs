// A bot without a socket: sends through POST /rooms/:id/messages with client_msg_id and retries the
// same id until the server answers 201 (stored) or 200 (stored before). Its sends join the phase's
// record, so the checker holds REST to the same contract as WebSocket sends.
import { api } from './http.mjs'

export class RestSender {
  constructor({ user, token, roomId, urls, tag, shared, rate }) {
    Object.assign(this, { user, token, roomId, urls, tag, shared, rate })
    this.urlIndex = 0
    this.running = false
    this.counter = 0
    this.statuses = {}
  }

  start() {
    this.running = true
    this.loop = this.run()
  }

  /** Stops starting new messages; resolves once the one in hand is stored, or gives up after `ms`. */
  async stop(ms) {
    this.running = false
    const timer = setTimeout(() => { this.abandoned = true }, ms)
    await this.loop
    clearTimeout(timer)
  }

  async run() {
    while (this.running) {
      const n = ++this.counter
      const cmid = `${this.tag}-rest-${n}`
      const send = { cmid, roomId: this.roomId, senderId: this.user.id, client: 'rest', content: `chaos ${cmid} ${Math.random().toString(36).slice(2, 10)}`, attempts: 0, createdAt: Date.now(), ack: null }
      this.shared.sends.set(cmid, send)
      this.shared.stats.sent++
      await this.deliver(send)
      await new Promise(r => setTimeout(r, 1000 / this.rate))
    }
  }

  async deliver(send) {
    for (let failures = 0; !this.abandoned; failures++) {
      send.attempts++
      if (send.attempts > 1) this.shared.stats.retries++
      send.lastAttemptAt = Date.now()
      const url = this.urls[this.urlIndex % this.urls.length]
      const res = await api(url, 'POST', `/rooms/${send.roomId}/messages`, { token: this.token, body: { content: send.content, client_msg_id: send.cmid }, timeoutMs: 10_000 })
      this.statuses[res.status] = (this.statuses[res.status] ?? 0) + 1
      if (res.status === 201 || res.status === 200) {
        const m = res.body
        if (m.client_msg_id !== send.cmid || m.content !== send.content) this.shared.violations.push({ kind: 'rest_answer_does_not_match_send', detail: { cmid: send.cmid } })
        send.ack = { id: m.id, seq: m.seq, at: Date.now(), url, attempts: send.attempts }
        this.shared.stats.acked++
        this.shared.ackTimes.push(send.ack.at)
        return
      }
      if (res.status >= 500) this.shared.checkErrorBody(res, 'POST /rooms/:id/messages')
      else if (res.status !== 0 && res.status !== 429) {
        this.shared.violations.push({ kind: 'rest_send_refused', detail: { cmid: send.cmid, status: res.status, body: res.text.slice(0, 200) } })
        return
      }
      // Down or draining: try the next instance, after a pause that grows while it lasts.
      if (res.status === 0 || res.status === 503) this.urlIndex++
      await new Promise(r => setTimeout(r, Math.min(100 * 2 ** Math.min(failures, 5), 2000)))
    }
  }
}
