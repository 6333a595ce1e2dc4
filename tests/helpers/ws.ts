/**
 * Real WebSocket clients for tests: `next(type)` waits for the next frame of a type, `none(type)`
 * asserts that none arrives. Every socket opened here is closed by `closeAllSockets()`.
 */
import WebSocket from 'ws'
import { afterEach } from 'vitest'
import { baseURL } from './api'

export interface ServerFrame {
  type: string
  payload: any
  timestamp?: string
  request_id?: string | number
}

const open = new Set<TestSocket>()

export class TestSocket {
  /** Every frame received, in order. */
  readonly frames: ServerFrame[] = []
  /** Frames not yet taken by `next()`. */
  private pending: ServerFrame[] = []
  private waiters: Array<() => void> = []
  closeCode: number | null = null
  closed: Promise<number>

  constructor(readonly ws: WebSocket) {
    open.add(this)
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString())
      this.frames.push(frame)
      this.pending.push(frame)
      for (const w of this.waiters.splice(0)) w()
    })
    this.closed = new Promise((resolve) => {
      ws.on('close', (code) => {
        this.closeCode = code
        open.delete(this)
        for (const w of this.waiters.splice(0)) w()
        resolve(code)
      })
    })
  }

  send(type: string, payload: unknown = {}, requestId?: string | number): void {
    this.ws.send(JSON.stringify(requestId === undefined ? { type, payload } : { type, payload, request_id: requestId }))
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data)
  }

  /** Sends a frame and waits for the answer carrying the same request_id. */
  async request(type: string, payload: unknown, timeoutMs = 5000): Promise<ServerFrame> {
    const id = `r${Math.random().toString(36).slice(2)}`
    this.send(type, payload, id)
    return this.next(f => f.request_id === id, timeoutMs)
  }

  /** Takes the oldest not-yet-taken frame matching `match` (a type or a predicate); other frames stay. */
  async next(match?: string | ((f: ServerFrame) => boolean), timeoutMs = 5000): Promise<ServerFrame> {
    const test = typeof match === 'string' ? (f: ServerFrame) => f.type === match : (match ?? (() => true))
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const index = this.pending.findIndex(test)
      if (index >= 0) return this.pending.splice(index, 1)[0]!
      if (this.closeCode !== null) throw new Error(`socket closed (${this.closeCode}) while waiting for ${String(match)}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${typeof match === 'string' ? match : 'a frame'}; got: ${this.frames.slice(-5).map(f => f.type).join(', ')}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Asserts that no frame of `type` arrives within `ms` (looking at frames not yet taken too). */
  async none(type: string, ms = 400): Promise<void> {
    await new Promise(r => setTimeout(r, ms))
    const found = this.pending.find(f => f.type === type)
    if (found) throw new Error(`unexpected ${type}: ${JSON.stringify(found.payload)}`)
  }

  all(type: string): ServerFrame[] {
    return this.frames.filter(f => f.type === type)
  }

  close(): Promise<number> {
    if (this.closeCode === null) this.ws.close()
    return this.closed
  }
}

export interface ConnectOptions {
  token?: string
  ticket?: string
  origin?: string | null
  base?: string
}

/** Opens a socket and resolves when it is open; rejects with the HTTP status if the upgrade is refused. */
export function connect(options: ConnectOptions): Promise<TestSocket> {
  const base = options.base ?? baseURL()
  const query = options.ticket ? `ticket=${encodeURIComponent(options.ticket)}` : options.token ? `token=${encodeURIComponent(options.token)}` : ''
  const headers: Record<string, string> = {}
  if (options.origin !== null) headers.origin = options.origin ?? base
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws${query ? `?${query}` : ''}`, { headers })
  const socket = new TestSocket(ws)
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket))
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })))
    ws.once('error', reject)
  })
}

export async function closeAllSockets(): Promise<void> {
  await Promise.all([...open].map(s => s.close()))
}

/** Call at the top of a test file that opens sockets. */
export function useSocketCleanup(): void {
  afterEach(closeAllSockets)
}
