import { once } from 'node:events'
import type { AddressInfo, Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { Connection, type RawSocket } from '../../server/realtime/connection'
import { wireFrame } from '../../server/realtime/wire-frame'

// A real `ws` server and client: frames go out through Connection.send, as the fan-out sends them
// (written straight to the TCP socket), mixed with frames `ws` writes itself.
let wss: WebSocketServer
let client: WebSocket
let conn: Connection
const received: Array<{ text: string, binary: boolean }> = []

beforeAll(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await once(wss, 'listening')
  const accepted = once(wss, 'connection')
  client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`)
  client.on('message', (data: Buffer, isBinary: boolean) => received.push({ text: data.toString('utf8'), binary: isBinary }))
  const [serverSide] = await accepted
  conn = new Connection(serverSide as unknown as RawSocket, { userId: 1, sessionId: 1, roomIds: [], user: { id: 1, username: 'a', avatar_url: null, status: 'online', last_seen_at: null, created_at: new Date().toISOString() } }, '127.0.0.1')
})

afterAll(() => {
  client.terminate()
  wss.close()
})

async function receive(count: number) {
  while (received.length < count) await new Promise(r => setTimeout(r, 5))
  return received.splice(0, count)
}

describe('frames encoded once for many sockets (wireFrame + Connection.send)', () => {
  // The three header forms of RFC 6455: 7-bit, 16-bit and 64-bit payload lengths, at their edges.
  it.each([0, 1, 125, 126, 65_535, 65_536, 200_000])('a %i-byte text frame arrives exactly', async (size) => {
    const text = 'a'.repeat(size)
    conn.send(wireFrame(text))
    expect(await receive(1)).toEqual([{ text, binary: false }])
  })

  it('counts UTF-8 bytes, not characters, for Korean and emoji', async () => {
    const text = JSON.stringify({ content: '안녕하세요 👋'.repeat(20) })
    const frame = wireFrame(text)
    expect(frame.bytes.length - frame.payload.length).toBe(4)
    conn.send(frame)
    expect(await receive(1)).toEqual([{ text, binary: false }])
  })

  it('keeps the order of frames written directly and frames written by ws', async () => {
    for (let i = 0; i < 50; i++) conn.send(i % 2 ? wireFrame(`direct ${i}`) : `through ws ${i}`)
    expect((await receive(50)).map(m => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `${i % 2 ? 'direct' : 'through ws'} ${i}`))
  })
})

describe('a socket waiting for its ack (Connection.acksAwaited)', () => {
  /** Counts the writes the TCP socket hands to the kernel: `_write` for one chunk, `_writev` for several. */
  function countWrites() {
    const tcp = conn.socket._socket as unknown as Socket & { _write: (...a: unknown[]) => void, _writev: (...a: unknown[]) => void }
    const counts = { single: 0, batched: [] as number[] }
    const single = tcp._write
    const batched = tcp._writev
    tcp._write = function (...a) {
      counts.single++
      return single.apply(this, a)
    }
    tcp._writev = function (...a) {
      counts.batched.push((a[0] as unknown[]).length)
      return batched.apply(this, a)
    }
    return { counts, restore: () => Object.assign(tcp, { _write: single, _writev: batched }) }
  }

  it('writes its own message and the ack that follows it in the same turn as one write, in order', async () => {
    const { counts, restore } = countWrites()
    conn.acksAwaited = 1
    try {
      // As the writer does: announce (a frame shared by the room), then answer the sender a few
      // promise callbacks later in the same turn.
      conn.send(wireFrame('new_message 1'))
      await Promise.resolve()
      await Promise.resolve()
      conn.send('message_ack 1')
      expect(await receive(2)).toEqual([{ text: 'new_message 1', binary: false }, { text: 'message_ack 1', binary: false }])
      expect(counts).toEqual({ single: 0, batched: [2] })
    }
    finally {
      conn.acksAwaited = 0
      restore()
    }
  })

  it('never holds a frame past the end of the turn, ack or not', async () => {
    conn.acksAwaited = 1
    try {
      conn.send(wireFrame('another room\'s message'))
      // No ack in this turn: the frame must still arrive while the send is in flight.
      expect(await receive(1)).toEqual([{ text: 'another room\'s message', binary: false }])
      conn.send(wireFrame('next turn'))
      expect(await receive(1)).toEqual([{ text: 'next turn', binary: false }])
    }
    finally {
      conn.acksAwaited = 0
    }
  })

  it('does not count the frames it holds as the peer\'s backlog', async () => {
    // A batch can settle many of this socket's sends in one turn: their frames, held together,
    // may pass the cap for a socket that stops reading although this one reads everything.
    const limits = conn as unknown as { maxBufferedBytes: number }
    const cap = limits.maxBufferedBytes
    limits.maxBufferedBytes = 256 * 1024
    conn.acksAwaited = 1
    try {
      const frames = Array.from({ length: 5 }, (_, i) => `${i}`.padEnd(80 * 1024, 'x'))
      for (const text of frames) conn.send(wireFrame(text))
      expect(conn.closed).toBe(false)
      expect((await receive(5)).map(m => m.text)).toEqual(frames)
    }
    finally {
      conn.acksAwaited = 0
      limits.maxBufferedBytes = cap
    }
  })

  it('writes each frame at once when no ack is awaited', async () => {
    const { counts, restore } = countWrites()
    try {
      conn.send(wireFrame('one'))
      conn.send('two')
      expect(await receive(2)).toEqual([{ text: 'one', binary: false }, { text: 'two', binary: false }])
      expect(counts).toEqual({ single: 2, batched: [] })
    }
    finally {
      restore()
    }
  })
})
