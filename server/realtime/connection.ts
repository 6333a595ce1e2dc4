/** One open socket: who it belongs to, what rooms it hears, and its own rate limits. */
import { TokenBucket } from '../lib/token-bucket'
import { useConfig } from '../lib/config/env'
import { log } from '../lib/logger'

/** The parts of the underlying `ws` WebSocket we use. */
export interface RawSocket {
  bufferedAmount: number
  send: (data: string | Buffer, options: { binary: boolean }) => void
  ping: () => void
  on: (event: 'pong', listener: () => void) => void
  close: (code?: number, reason?: string) => void
  terminate: () => void
}

const TEXT_FRAME = { binary: false }

export class Connection {
  /** Rooms whose events this socket receives: every room the user is a member of. */
  readonly memberRooms: Set<number>
  /** Rooms this socket is looking at (join_room): typing and user_joined/left. */
  readonly viewing = new Set<number>()
  /** Rooms where this socket's user is typing, so a close can say they stopped. */
  readonly typingIn = new Set<number>()
  readonly messageBucket: TokenBucket
  readonly typingBucket: TokenBucket
  readonly joinBucket: TokenBucket
  readonly frameBucket: TokenBucket
  /** A socket whose unsent data passes this is not reading: drop it rather than buffer without end. */
  private readonly maxBufferedBytes: number
  alive = true
  closed = false
  strikes = 0
  strikeWindowStart = Date.now()

  constructor(
    readonly socket: RawSocket,
    readonly userId: number,
    readonly sessionId: number,
    readonly ip: string,
    roomIds: number[],
  ) {
    this.memberRooms = new Set(roomIds)
    const { limits } = useConfig()
    this.messageBucket = new TokenBucket(limits.messagesPerSecondPerConnection, limits.messagesPerSecondPerConnection * 2)
    this.typingBucket = new TokenBucket(limits.typingPerSecondPerConnection, limits.typingPerSecondPerConnection * 2)
    this.joinBucket = new TokenBucket(limits.joinsPerSecondPerConnection, limits.joinsPerSecondPerConnection * 2)
    this.frameBucket = new TokenBucket(limits.framesPerSecondPerConnection, limits.framesPerSecondPerConnection * 2)
    this.maxBufferedBytes = limits.wsMaxBufferedBytes
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
