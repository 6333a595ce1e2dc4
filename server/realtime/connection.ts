/** One open socket: who it belongs to, what rooms it hears, and its own rate limits. */
import { TokenBucket } from '../lib/token-bucket'
import { useConfig } from '../lib/config/env'
import { log } from '../lib/logger'
import { IdSet } from './id-set'
import type { ReadRequest } from './read-queue'
import { wireFrame, type WireFrame } from './wire-frame'
import type { PublicUser } from '../../shared/protocol/objects'
import type { SocketIdentity } from './upgrade'

/**
 * The parts of the underlying `ws` WebSocket we use. `_socket` and `_sender` are `ws` internals
 * (8.23, pinned in package.json; node_modules/ws/lib/websocket.js and sender.js): re-read them when
 * `ws` moves. tests/unit/wire-frame.test.ts checks the frames a real client parser reads.
 */
export interface RawSocket {
  bufferedAmount: number
  readyState: number
  /** The TCP socket: frames encoded once for many sockets are written to it directly (see send). */
  _socket?: TcpSocket | null
  /** `ws`' frame writer; `_state` 0 means it holds no queued frame that a direct write could overtake. */
  _sender?: { _state: number } | null
  send: (data: string | Buffer, options: { binary: boolean }) => void
  ping: () => void
  /** `ws` calls listeners with the socket as `this`. */
  on: ((event: 'pong', listener: (this: RawSocket) => void) => void) & ((event: 'message', listener: (this: RawSocket, data: Buffer | Buffer[], isBinary: boolean) => void) => void)
  removeAllListeners: (event: 'message') => void
  close: (code?: number, reason?: string) => void
  terminate: () => void
}

/** The parts of Node's net.Socket that `send` uses. */
interface TcpSocket {
  write: (data: Buffer) => boolean
  cork: () => void
  uncork: () => void
}

const TEXT_FRAME = { binary: false }
const OPEN = 1
const SENDER_IDLE = 0

/** `rate` a second sustained, bursts of twice that. */
const perSecond = (rate: number) => new TokenBucket(rate, rate * 2)

export class Connection {
  readonly userId: number
  readonly sessionId: number
  /** The user as other sockets are told about them (user_joined). */
  readonly user: PublicUser
  /** Rooms whose events this socket receives: every room the user is a member of. */
  readonly memberRooms: IdSet
  /** Rooms this socket is looking at (join_room): typing and user_joined/left. */
  readonly viewing = new IdSet()
  /** Rooms where this socket's user is typing, so a close can say they stopped; made on first use. */
  typingIn?: Set<number>
  /** Per room with a mark_read being written: the newest frame waiting behind it (read-queue.ts). */
  readsWaiting?: Map<number, ReadRequest<unknown> | null>
  // Each rate limit's bucket is made on first use: a bucket starts full, so one made at the first
  // frame allows exactly what one made at open would. An idle socket never needs most of them.
  #messageBucket?: TokenBucket
  #typingBucket?: TokenBucket
  #joinBucket?: TokenBucket
  #frameBucket?: TokenBucket
  /** A socket whose unsent data passes this is not reading: drop it rather than buffer without end. */
  private readonly maxBufferedBytes: number
  /**
   * This socket's sends still waiting for their `message_ack`. While there are any, the frames this
   * socket gets in one turn are written together (see send): the sender's own `new_message` and
   * its ack go out in one write instead of two.
   */
  acksAwaited = 0
  /** The TCP socket while it is held corked until the end of this turn. */
  private corkedTcp: TcpSocket | null = null
  alive = true
  closed = false
  strikes = 0
  /** 0 until the first strike; a small integer, where a time would be a boxed number on every socket. */
  strikeWindowStart = 0

  constructor(readonly socket: RawSocket, identity: SocketIdentity, readonly ip: string) {
    this.userId = identity.userId
    this.sessionId = identity.sessionId
    this.user = identity.user
    this.memberRooms = new IdSet(identity.roomIds)
    this.maxBufferedBytes = useConfig().limits.wsMaxBufferedBytes
  }

  get messageBucket(): TokenBucket {
    return this.#messageBucket ??= perSecond(useConfig().limits.messagesPerSecondPerConnection)
  }

  get typingBucket(): TokenBucket {
    return this.#typingBucket ??= perSecond(useConfig().limits.typingPerSecondPerConnection)
  }

  get joinBucket(): TokenBucket {
    return this.#joinBucket ??= perSecond(useConfig().limits.joinsPerSecondPerConnection)
  }

  get frameBucket(): TokenBucket {
    return this.#frameBucket ??= perSecond(useConfig().limits.framesPerSecondPerConnection)
  }

  /**
   * Sends a serialized frame: a string, or a WireFrame encoded once for many sockets. A socket that
   * stopped reading is terminated instead.
   */
  send(frame: string | WireFrame): void {
    if (this.closed) return
    const ws = this.socket
    let buffered = ws.bufferedAmount
    // Frames held by our own cork are not the peer's backlog: hand them to the kernel first, and
    // judge the socket by what the kernel could not take.
    if (buffered > this.maxBufferedBytes && this.corkedTcp) {
      this.releaseCork()
      buffered = ws.bufferedAmount
    }
    if (buffered > this.maxBufferedBytes) {
      this.closed = true
      log.warn('socket dropped: not reading', { user_id: this.userId, buffered_bytes: buffered })
      ws.terminate()
      return
    }
    // A frame for this socket alone (an ack, an error) is encoded like a shared one: one plain write
    // instead of `ws` building a header and writing two buffers.
    if (typeof frame === 'string') frame = wireFrame(frame)
    // Straight to TCP while `ws` has nothing queued and has not begun closing (a frame after its
    // close frame would break the protocol); otherwise through `ws`, which handles both.
    const tcp = ws._socket
    if (ws.readyState === OPEN && tcp && ws._sender?._state === SENDER_IDLE) {
      if (this.acksAwaited > 0 && !this.corkedTcp) this.corkUntilTurnEnds(tcp)
      tcp.write(frame.bytes)
    }
    else {
      ws.send(frame.payload, TEXT_FRAME)
    }
  }

  /**
   * Holds writes to `tcp` until the current turn's promise callbacks have run: the writer announces
   * a message and then answers its sender in the same turn, and `process.nextTick` callbacks queued
   * meanwhile run only after those promise callbacks. Never held across a wait for I/O.
   */
  private corkUntilTurnEnds(tcp: TcpSocket): void {
    tcp.cork()
    this.corkedTcp = tcp
    process.nextTick(() => this.releaseCork())
  }

  /** Writes out what the cork holds; a no-op when it was released already (see send). */
  private releaseCork(): void {
    const tcp = this.corkedTcp
    if (!tcp) return
    this.corkedTcp = null
    tcp.uncork()
  }

  close(code: number, reason: string): void {
    if (this.closed) return
    this.closed = true
    this.socket.close(code, reason)
  }
}
