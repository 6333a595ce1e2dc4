/** One open socket: who it belongs to, what rooms it hears, and its own rate limits. */
import type { Peer } from 'crossws'
import { TokenBucket } from './token-bucket'
import { useConfig } from '../lib/config/env'

/** A socket whose unsent data passes this is not reading: drop it rather than buffer without end. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024

export interface RawSocket {
  bufferedAmount: number
  ping: () => void
  on: (event: 'pong', listener: () => void) => void
  close: (code?: number, reason?: string) => void
  terminate: () => void
}

export class Connection {
  /** Rooms whose events this socket receives: every room the user is a member of. */
  readonly memberRooms: Set<number>
  /** Rooms this socket is looking at (join_room): typing and user_joined/left. */
  readonly viewing = new Set<number>()
  /** Rooms where this socket's user is typing, so a close can say they stopped. */
  readonly typingIn = new Set<number>()
  readonly messageBucket: TokenBucket
  readonly typingBucket: TokenBucket
  alive = true
  closed = false
  strikes = 0
  strikeWindowStart = Date.now()

  constructor(
    readonly peer: Peer,
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
  }

  /** Sends an already serialized frame; a socket that stopped reading is terminated instead. */
  send(frame: string): void {
    if (this.closed) return
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.closed = true
      this.socket.terminate()
      return
    }
    this.peer.send(frame)
  }

  close(code: number, reason: string): void {
    if (this.closed) return
    this.closed = true
    this.socket.close(code, reason)
  }
}
