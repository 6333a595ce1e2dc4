/**
 * Messages written but not yet acknowledged. Each carries a `client_msg_id`, so sending it again after
 * a reconnect (or a reload) stores it at most once on the server; it leaves the outbox when the server
 * shows it back (ack, live frame or catch-up) with that id. Bodies (never tokens) persist per user.
 */
export type OutboxState = 'pending' | 'sending' | 'failed'

export interface OutboxItem {
  client_msg_id: string
  room_id: number
  content: string
  created_at: string
  state: OutboxState
  /** Why it failed, a stable error code when the server gave one. */
  error?: string
}

export interface OutboxStorage {
  load: () => OutboxItem[]
  save: (items: OutboxItem[]) => void
}

export function newClientMsgId(): string {
  const rnd = globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  return `web-${rnd}`
}

export class Outbox {
  private items: OutboxItem[]
  /** Every id this tab has held: storage entries it never knew belong to another tab. */
  private known = new Set<string>()
  constructor(private storage: OutboxStorage) {
    // After a reload nothing is in flight any more: everything waits to be sent again.
    this.items = storage.load().map(i => i.state === 'sending' ? { ...i, state: 'pending' as const } : i)
    for (const i of this.items) this.known.add(i.client_msg_id)
  }

  all(): OutboxItem[] {
    return this.items.slice()
  }

  forRoom(roomId: number): OutboxItem[] {
    return this.items.filter(i => i.room_id === roomId)
  }

  add(roomId: number, content: string, now = new Date()): OutboxItem {
    const item: OutboxItem = { client_msg_id: newClientMsgId(), room_id: roomId, content, created_at: now.toISOString(), state: 'pending' }
    this.items.push(item)
    this.known.add(item.client_msg_id)
    this.persist()
    return item
  }

  /**
   * What to (re)send now, marked as in flight: per room, the oldest pending message, and only when
   * nothing of that room is in flight. One at a time per room keeps the order we wrote them in,
   * whatever order the server would commit concurrent sends in. Failed ones wait for a retry.
   */
  takeSendable(): OutboxItem[] {
    const busy = new Set(this.items.filter(i => i.state === 'sending').map(i => i.room_id))
    const out: OutboxItem[] = []
    for (const i of this.items) {
      if (i.state !== 'pending' || busy.has(i.room_id)) continue
      busy.add(i.room_id)
      out.push(i)
    }
    for (const i of out) i.state = 'sending'
    if (out.length) this.persist()
    return out.map(i => ({ ...i }))
  }

  /** The connection dropped: whatever was in flight goes back to pending (resent with the same id). */
  requeueInFlight(): void {
    let changed = false
    for (const i of this.items) {
      if (i.state === 'sending') {
        i.state = 'pending'
        changed = true
      }
    }
    if (changed) this.persist()
  }

  /** The server has it (ack, frame or catch-up): drop it. True when it was ours. */
  confirm(clientMsgId: string | null | undefined): boolean {
    if (!clientMsgId) return false
    const before = this.items.length
    this.items = this.items.filter(i => i.client_msg_id !== clientMsgId)
    if (this.items.length === before) return false
    this.persist()
    return true
  }

  fail(clientMsgId: string, error: string): void {
    const item = this.items.find(i => i.client_msg_id === clientMsgId)
    if (!item) return
    item.state = 'failed'
    item.error = error
    this.persist()
  }

  retry(clientMsgId: string): void {
    const item = this.items.find(i => i.client_msg_id === clientMsgId)
    if (!item || item.state !== 'failed') return
    item.state = 'pending'
    delete item.error
    this.persist()
  }

  discard(clientMsgId: string): void {
    this.confirm(clientMsgId)
  }

  /** Logging out on purpose: every unsent body of this user leaves the device, whichever tab wrote it. */
  clearAll(): void {
    this.items = []
    this.storage.save([])
  }

  /** A room we left or lost: its unsent messages can never be delivered. */
  dropRoom(roomId: number): void {
    this.items = this.items.filter(i => i.room_id !== roomId)
    this.persist()
  }

  /**
   * Several tabs of one user share the storage key: keep the entries another tab wrote meanwhile
   * instead of overwriting them (resending one of them later is harmless: same client_msg_id).
   */
  private persist(): void {
    const others = this.storage.load().filter(i => !this.known.has(i.client_msg_id))
    this.storage.save([...others, ...this.items])
  }
}

/** Outbox bodies in localStorage under one key per user (only message text, never credentials). */
export function localOutboxStorage(userId: number): OutboxStorage {
  const key = `mm_outbox_${userId}`
  return {
    load: () => {
      try {
        const raw = globalThis.localStorage?.getItem(key)
        const parsed = raw ? JSON.parse(raw) : []
        return Array.isArray(parsed) ? parsed.filter(isOutboxItem) : []
      }
      catch {
        return []
      }
    },
    save: (items) => {
      try {
        if (items.length) globalThis.localStorage?.setItem(key, JSON.stringify(items))
        else globalThis.localStorage?.removeItem(key)
      }
      catch { /* storage full or disabled: the outbox still works for this tab */ }
    },
  }
}

function isOutboxItem(x: unknown): x is OutboxItem {
  const i = x as OutboxItem
  return !!i && typeof i.client_msg_id === 'string' && typeof i.room_id === 'number' && typeof i.content === 'string' && typeof i.created_at === 'string'
}

export function memoryOutboxStorage(initial: OutboxItem[] = []): OutboxStorage & { saved: OutboxItem[] } {
  const s = { saved: initial.map(i => ({ ...i })), load: () => s.saved.map(i => ({ ...i })), save: (items: OutboxItem[]) => { s.saved = items.map(i => ({ ...i })) } }
  return s
}
