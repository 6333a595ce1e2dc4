/**
 * 10,000 random and mutated WebSocket frames over several sockets: none may crash the server, cost
 * anyone else their socket, answer with an internal error, or alter a message that did get stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, createRoom, registerUser, type TestUser } from '../helpers/api'
import { connect, useSocketCleanup, type TestSocket } from '../helpers/ws'
import { CLIENT_FRAME_TYPES } from '../../shared/protocol/frames'
import { ERROR_CODES } from '../../shared/protocol/error-codes'
import { ODD_VALUES, UNICODE, XSS, SQL_INJECTION, deepNesting, mutate, randomBytes, randomText } from './corpus'
import { expectHealthy, history, report, rng, SEED, startAbuseServer, type AbuseServer, type Rng } from './harness'

useSocketCleanup()

const FRAMES = Number(process.env.ABUSE_WS_FRAMES) || 10_000
const SOCKETS = 6
/** A ping after this many frames keeps each socket in step with the server. */
const BATCH = 25

interface Shot {
  kind: string
  data: string | Buffer
  /** Sent as a binary frame; otherwise text (even when `data` is a Buffer of invalid UTF-8). */
  binary?: boolean
}

/** A valid payload for each client frame type, as raw JSON fields. */
function validFields(type: string, roomId: number, r: Rng): Record<string, string> {
  switch (type) {
    case 'send_message': return { room_id: String(roomId), content: JSON.stringify(`fuzz ${r.int(1e9)}`), client_msg_id: JSON.stringify(`f${r.int(1e12)}`) }
    case 'typing': return { room_id: String(roomId), is_typing: String(r.bool()) }
    case 'mark_read': return { room_id: String(roomId), message_id: String(1 + r.int(50)) }
    case 'ping': return {}
    default: return { room_id: String(roomId) }
  }
}

const object = (fields: Record<string, string>) => `{${Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`
const envelope = (type: string, payload: string, extra = '') => `{"type":${JSON.stringify(type)},"payload":${payload}${extra}}`

function shot(r: Rng, roomIds: number[]): Shot {
  const type = r.pick(CLIENT_FRAME_TYPES)
  const roomId = r.pick(roomIds)
  const fields = validFields(type, roomId, r)
  const roll = r.int(1000)
  if (roll < 120) {
    // Wrong type in one field of a real frame type.
    const keys = Object.keys(fields)
    const key = keys.length ? r.pick(keys) : r.pick(['room_id', 'content', 'x'])
    return { kind: 'wrong-type', data: envelope(type, object({ ...fields, [key]: r.pick(ODD_VALUES) }), `,"request_id":"w${roll}"`) }
  }
  if (roll < 200) {
    // The envelope itself is wrong.
    const variants = [
      `{"type":${r.pick(ODD_VALUES)},"payload":{}}`,
      `{"type":"${type}","payload":${r.pick(ODD_VALUES)}}`,
      `{"type":"${type}","payload":${object(fields)},"request_id":${r.pick(ODD_VALUES)}}`,
      `{"type":"${type}","type":"ping","payload":${object(fields)}}`,
      `{"payload":${object(fields)}}`,
      r.pick(ODD_VALUES),
      '',
    ]
    return { kind: 'envelope', data: r.pick(variants) }
  }
  if (roll < 300) return { kind: 'garbage-text', data: randomText(r, r.int(2000)) }
  if (roll < 360) return { kind: 'garbage-binary', data: randomBytes(r, r.int(4000)), binary: true }
  if (roll < 380) return { kind: 'binary-json', data: Buffer.from(envelope(type, object(fields))), binary: true }
  if (roll < 390) {
    // Invalid UTF-8 in a text frame: `ws` refuses it with 1007, for that socket only.
    return { kind: 'invalid-utf8', data: Buffer.concat([Buffer.from('{"type":"ping","payload":{"x":"'), r.pick([Buffer.from([0xc3, 0x28]), Buffer.from([0xff]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80])]), Buffer.from('"}}')]) }
  }
  if (roll < 440) {
    const depth = r.pick([100, 1000, 10_000, 30_000])
    const variants = [
      deepNesting('[', ']', depth),
      deepNesting('{"a":', '}', Math.min(depth, 10_000)),
      envelope('send_message', `{"room_id":${roomId},"content":${deepNesting('[', ']', depth)}}`),
      envelope('ping', deepNesting('{"a":', '}', Math.min(depth, 10_000), '{}')),
      // 100k levels: over the frame limit, answered without being parsed.
      deepNesting('[', ']', 100_000),
    ]
    return { kind: 'deep', data: r.pick(variants) }
  }
  if (roll < 480) {
    const limit = 64 * 1024
    const content = 'x'.repeat(r.pick([4000, 4001, limit - 80, limit - 60, limit, limit + 1, limit * 2]))
    return { kind: 'huge', data: envelope('send_message', `{"room_id":${roomId},"content":"${content}"}`) }
  }
  if (roll < 482) return { kind: 'over-hard-cap', data: 'x'.repeat(300 * 1024) }
  if (roll < 540) {
    const variants = [
      `{"__proto__":{"type":"ping"},"payload":{}}`,
      envelope(type, `{"__proto__":${object(fields)}}`),
      envelope(type, `{${Object.entries(fields).map(([k, v]) => `"${k}":${v}`).join(',')}${Object.keys(fields).length ? ',' : ''}"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`),
      `{"type":"constructor","payload":{}}`,
      `{"type":"__proto__","payload":{}}`,
      `{"type":"toString","payload":{}}`,
      `{"type":"hasOwnProperty","payload":{}}`,
    ]
    return { kind: 'proto', data: r.pick(variants) }
  }
  if (roll < 640) {
    const content = r.pick([...UNICODE, ...XSS, ...SQL_INJECTION, randomText(r, 1 + r.int(200))])
    return { kind: 'odd-content', data: envelope('send_message', `{"room_id":${roomId},"content":${JSON.stringify(content)},"client_msg_id":${JSON.stringify(`u${r.int(1e12)}`)}}`, `,"request_id":"o${r.int(1e9)}"`) }
  }
  if (roll < 900) return { kind: 'mutated', data: mutate(r, envelope(type, object(fields), `,"request_id":"m${r.int(1e9)}"`)) }
  return { kind: 'valid', data: envelope(type, object(fields), `,"request_id":"v${r.int(1e9)}"`) }
}

describe('WebSocket fuzz', () => {
  let server: AbuseServer
  let owner: TestUser
  let observer: TestUser
  let fuzzers: TestUser[]
  let room: { id: number }
  let otherRoom: { id: number }

  beforeAll(async () => {
    server = await startAbuseServer()
    const base = server.url
    ;[owner, observer, ...fuzzers] = await Promise.all([registerUser({ base }), registerUser({ base }), registerUser({ base }), registerUser({ base }), registerUser({ base })])
    room = await createRoom(owner!, [observer!.user.id, ...fuzzers!.map(f => f.user.id)], 'fuzz room', base)
    otherRoom = await createRoom(owner!, [], 'not theirs', base)
  })
  afterAll(async () => {
    await server?.finish()
  })

  it(`survives ${FRAMES} hostile frames; every answer is a well-formed frame, never an internal error`, async () => {
    const base = server.url
    const r = rng(SEED)
    const observerSocket = await connect({ token: observer.token, base, origin: null })
    const kinds: Record<string, number> = {}
    const closes: Record<string, number> = {}
    const errorCodes: Record<string, number> = {}
    const acks = new Map<number, string>()
    let reconnects = 0
    let received = 0

    const collect = (s: TestSocket) => {
      for (const f of s.frames) {
        received++
        if (f.type === 'error') errorCodes[f.payload.code] = (errorCodes[f.payload.code] ?? 0) + 1
        if (f.type === 'message_ack') acks.set(f.payload.message.id, f.payload.message.content)
      }
    }

    const started = performance.now()
    await Promise.all(Array.from({ length: SOCKETS }, async (_, i) => {
      const user = fuzzers[i % fuzzers.length]!
      let socket = await connect({ token: user.token, base, origin: null })
      const quota = Math.ceil(FRAMES / SOCKETS)
      const reconnect = async () => {
        const code = await socket.closed
        closes[code] = (closes[code] ?? 0) + 1
        collect(socket)
        socket = await connect({ token: user.token, base, origin: null })
        reconnects++
      }
      for (let sent = 0; sent < quota;) {
        for (let b = 0; b < BATCH && sent < quota; b++, sent++) {
          const s = shot(r, [room.id, otherRoom.id, 999_999])
          kinds[s.kind] = (kinds[s.kind] ?? 0) + 1
          socket.ws.send(s.data, { binary: !!s.binary })
          // These break the WebSocket protocol itself: the server must close this socket (only).
          if (s.kind === 'invalid-utf8' || s.kind === 'over-hard-cap') await reconnect()
        }
        try {
          const pong = await socket.request('ping', {}, 10_000)
          expect(pong.type).toBe('pong')
        }
        catch {
          await reconnect()
        }
      }
      collect(socket)
    }))
    const seconds = (performance.now() - started) / 1000

    // Only the frames that break the WebSocket protocol itself cost the sender its socket:
    // invalid UTF-8 in a text frame (1007) and a frame past the hard cap (1009).
    expect(Object.keys(closes).filter(c => c !== '1007' && c !== '1009'), JSON.stringify(closes)).toEqual([])
    expect(errorCodes[ERROR_CODES.INTERNAL] ?? 0).toBe(0)
    expect(errorCodes[ERROR_CODES.SERVICE_UNAVAILABLE] ?? 0).toBe(0)
    for (const code of Object.keys(errorCodes)) expect(Object.values(ERROR_CODES)).toContain(code)
    // The bystander kept its socket through all of it.
    expect((await observerSocket.request('ping', {})).type).toBe('pong')
    expect(observerSocket.closeCode).toBeNull()

    // What got stored is exactly what was acknowledged, and what the bystander was sent.
    const stored = await history(base, owner.token, room.id)
    expect(stored.length).toBeGreaterThan(0)
    const byId = new Map(stored.map(m => [m.id, m.content]))
    for (const [id, content] of acks) expect(byId.get(id), `message ${id}`).toBe(content)
    for (const f of observerSocket.all('new_message')) expect(byId.get(f.payload.id), `message ${f.payload.id}`).toBe(f.payload.content)

    report('ws-fuzz', { seed: SEED, frames: FRAMES, sockets: SOCKETS, seconds: Math.round(seconds * 10) / 10, kinds, frames_received: received, error_codes: errorCodes, closes, reconnects, stored_messages: stored.length })
  }, 120_000)

  it('stays healthy: /healthz answers, no uncaught error, no 500', async () => {
    const res = await api('GET', '/auth/me', { token: owner.token, base: server.url })
    expect(res.status).toBe(200)
    await expectHealthy(server)
  })
})
