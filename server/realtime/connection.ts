/** One open socket: who it belongs to, what rooms it hears, and its own rate limits. */
import { TokenBucket } from '../lib/token-bucket'
import { useConfig } from '../lib/config/env'
import { log } from '../lib/logger'
import type { PublicUser } from '../../shared/protocol/objects'
import type { SocketIdentity } from './upgrade'

/** The parts of the underlying `ws` WebSocket we use. */
export interface RawSocket {
  bufferedAmount: number
  send: (data: string | Buffer, options: { binary: boolean }) => void
  ping: () => void
  on: ((event: 'pong', listener: () => void) => void) & ((event: 'message', listener: (data: Buffer | Buffer[], isBinary: boolean) => void) => void)
  removeAllListeners: (event: 'message') => void
  close: (code?: number, reason?: string) => void
  terminate: () => void
}

const TEXT_FRAME = { binary: false }

/** `rate` a second sustained, bursts of twice that. */
const perSecond = (rate: number) => new TokenBucket(rate, rate * 2)

export class Connection {
  readonly userId: number
  readonly sessionId: number
  /** The user as other sockets are told about them (user_joined). */
  readonly user: PublicUser
  /** Rooms whose events this socket receives: every room the user is a member of. */
  readonly memberRooms = new Set<number>()
  /** Rooms this socket is looking at (join_room): typing and user_joined/left. */
  readonly viewing = new Set<number>()
  /** Rooms where this socket's user is typing, so a close can say they stopped; made on first use. */
  typingIn?: Set<number>
  // Each rate limit's bucket is made on first use: a bucket starts full, so one made at the first
  // frame allows exactly what one made at open would. An idle socket never needs most of them.
  #messageBucket?: TokenBucket
  #typingBucket?: TokenBucket
  #joinBucket?: TokenBucket
  #frameBucket?: TokenBucket
  /** A socket whose unsent data passes this is not reading: drop it rather than buffer without end. */
  private readonly maxBufferedBytes: number
  alive = true
  closed = false
  strikes = 0
  strikeWindowStart = Date.now()

  constructor(readonly socket: RawSocket, identity: SocketIdentity, readonly ip: string) {
    this.userId = identity.userId
    this.sessionId = identity.sessionId
    this.user = identity.user
    // Added one by one: `new Set(iterable)` starts with room for 8, `new Set()` for 4, and most
    // users are in few rooms.
    for (const roomId of identity.roomIds) this.memberRooms.add(roomId)
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
   * Sends an already serialized frame (a Buffer when it goes to many sockets, so its UTF-8 is
   * encoded once); a socket that stopped reading is terminated instead.
   */
  send(frame: string | Buffer): void {
    if (this.closed) return
    const buffered = this.socket.bufferedAmount
    if (buffered > this.maxBufferedBytes) {
      this.closed = true
      log.warn('socket dropped: not reading', { user_id: this.userId, buffered_bytes: buffered })
      this.socket.terminate()
      return
    }
    this.socket.send(frame, TEXT_FRAME)
  }

  close(code: number, reason: string): void {
    if (this.closed) return
    this.closed = true
    this.socket.close(code, reason)
  }
}
