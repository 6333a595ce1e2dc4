// The checker: after the load has stopped, every send has been acked and every client has synced,
// compares what the clients were told (acks), what they saw (views by seq) and what the server keeps
// (the event log and the message history, read through both ways of paging).
import { allEvents, apiOk, historyBackward, historyForward } from './http.mjs'

const sameMessage = (a, b) => a.seq === b.seq && a.id === b.id && a.client_msg_id === b.client_msg_id && a.content === b.content

/**
 * @returns {Promise<{rooms: object[], violations: object[]}>} per-room figures and every violation found
 */
export async function checkRooms({ base, rooms, clients, sends }) {
  const violations = []
  const add = (kind, detail) => violations.push({ kind, detail })
  const figures = []

  for (const room of rooms) {
    const token = room.ownerToken
    const info = await apiOk(base, 'GET', `/rooms/${room.id}`, { token })
    const events = await allEvents(base, token, room.id)
    const history = await historyForward(base, token, room.id)
    const backward = await historyBackward(base, token, room.id)

    // The log: seq 1..last_seq, no gaps, each new_message naming a message of the history.
    events.forEach((e, i) => {
      if (e.seq !== i + 1) add('event_log_gap', { room: room.id, index: i, seq: e.seq })
    })
    if (events.length !== info.last_seq) add('last_seq_mismatch', { room: room.id, last_seq: info.last_seq, events: events.length })
    const logMessages = events.filter(e => e.type === 'new_message').map(e => ({ ...e.payload, seq: e.seq }))
    if (logMessages.length !== history.length || logMessages.some((m, i) => !sameMessage(m, history[i]))) {
      add('event_log_differs_from_history', { room: room.id, log: logMessages.length, history: history.length })
    }
    if (backward.length !== history.length || backward.some((m, i) => !sameMessage(m, history[i]))) {
      add('paging_before_differs_from_after_seq', { room: room.id, forward: history.length, backward: backward.length })
    }
    for (let i = 1; i < history.length; i++) {
      if (history[i].seq <= history[i - 1].seq) add('history_out_of_order', { room: room.id, at: i, seqs: [history[i - 1].seq, history[i].seq] })
    }

    // Nothing twice: one message per (sender, client_msg_id), one per content.
    const byKey = new Map()
    const byContent = new Map()
    for (const m of history) {
      const key = `${m.sender?.id}:${m.client_msg_id}`
      byKey.set(key, (byKey.get(key) ?? 0) + 1)
      byContent.set(m.content, (byContent.get(m.content) ?? 0) + 1)
      const send = sends.get(m.client_msg_id)
      if (!send) add('message_nobody_sent', { room: room.id, id: m.id, client_msg_id: m.client_msg_id })
      else if (send.roomId !== room.id || send.senderId !== m.sender?.id || send.content !== m.content) add('message_differs_from_send', { room: room.id, id: m.id, client_msg_id: m.client_msg_id })
    }
    for (const [key, n] of byKey) if (n > 1) add('duplicate_client_msg_id', { room: room.id, key, times: n })
    for (const [content, n] of byContent) if (n > 1) add('duplicate_content', { room: room.id, content, times: n })

    // Every acknowledged message is there exactly once, as acked; nothing is left unacked.
    const roomSends = [...sends.values()].filter(s => s.roomId === room.id)
    const historyByCmid = new Map(history.map(m => [m.client_msg_id, m]))
    let acked = 0
    let unacked = 0
    for (const send of roomSends) {
      const stored = historyByCmid.get(send.cmid)
      if (send.ack) {
        acked++
        if (!stored) add('acked_message_lost', { room: room.id, client_msg_id: send.cmid, ack: send.ack })
        else if (stored.id !== send.ack.id || stored.seq !== send.ack.seq) add('acked_message_differs', { room: room.id, client_msg_id: send.cmid, ack: send.ack, stored: { id: stored.id, seq: stored.seq } })
      }
      else {
        unacked++
        add('never_acked', { room: room.id, client_msg_id: send.cmid, attempts: send.attempts, stored: !!stored })
      }
    }

    // Every member's view, built from live frames and catch-up, is the server's log, in order.
    let views = 0
    for (const client of clients) {
      const view = client.views.get(room.id)
      if (!view) continue
      views++
      const seqs = [...view.events.keys()].sort((a, b) => a - b)
      if (seqs.length !== events.length || seqs.some((s, i) => s !== i + 1)) {
        add('view_has_gaps', { room: room.id, client: client.index, view: seqs.length, log: events.length, contiguous: view.contiguous })
      }
      const seen = seqs.map(s => view.events.get(s)).filter(e => e.type === 'new_message')
      const mismatch = seen.findIndex((e, i) => !history[i] || e.id !== history[i].id || e.client_msg_id !== history[i].client_msg_id || e.content !== history[i].content)
      if (seen.length !== history.length || mismatch >= 0) {
        add('view_differs_from_history', { room: room.id, client: client.index, view: seen.length, history: history.length, first_mismatch: mismatch })
      }
      for (const [seq, e] of view.events) {
        const logged = events[seq - 1]
        if (!logged || logged.type !== e.type) add('view_event_differs_from_log', { room: room.id, client: client.index, seq, view: e.type, log: logged?.type })
      }
    }
    figures.push({ room: room.id, last_seq: info.last_seq, messages: history.length, sends: roomSends.length, acked, unacked, views })
  }
  return { rooms: figures, violations }
}
