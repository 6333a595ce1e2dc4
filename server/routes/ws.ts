/**
 * The WebSocket adapter at /ws: authenticate in `upgrade`, keep the socket in the hub, hand each
 * frame to the dispatcher. Protocol: docs/protocol.md.
 */
import { defineWebSocketHandler } from 'h3'
import { authenticateUpgrade, type SocketIdentity } from '../realtime/upgrade'
import { Connection, type RawSocket } from '../realtime/connection'
import { rawSocketOf, releaseUpgradeRequest, takeOverFrames } from '../realtime/peer-internals'
import { announceLeft, dispatch } from '../realtime/dispatch'
import { hub } from '../realtime/hub'
import { socketClosed, socketOpened } from '../realtime/presence'
import { connectionGone } from '../realtime/typing'
import { useConfig } from '../lib/config/env'
import { errorFields, log } from '../lib/logger'
import { CLOSE_CODES } from '../../shared/protocol/frames'

interface PeerContext {
  /** Put here by `upgrade`; `open` moves what it needs onto the Connection and drops it. */
  identity?: SocketIdentity
  conn?: Connection
  /** True once this socket's frames bypass crossws (takeOverFrames). */
  ownFrames?: boolean
}

/**
 * Each open socket's Connection, for the listeners that all sockets share: a closure per socket
 * (with the context it captures) would stay on every idle socket, a map entry is smaller.
 */
const connectionOf = new WeakMap<RawSocket, Connection>()

function onFrame(socket: RawSocket, text: string, bytes: number): void {
  const conn = connectionOf.get(socket)
  // Frames still queued behind a close (4029, 4001) are not worth a query.
  if (conn && !conn.closed) void dispatch(conn, text, bytes)
}

function onPong(this: RawSocket): void {
  const conn = connectionOf.get(this)
  if (conn) conn.alive = true
}

export default defineWebSocketHandler({
  async upgrade(request) {
    // Refusing means returning a non-2xx Response; anything else would open an anonymous socket.
    const result = await authenticateUpgrade(request as unknown as Request)
    if (result instanceof Response) return result
    ;(request.context as PeerContext).identity = result
  },

  open(peer) {
    releaseUpgradeRequest(peer)
    const ctx = peer.context as PeerContext
    const identity = ctx.identity
    if (!identity) return peer.close(CLOSE_CODES.POLICY, 'unauthenticated')
    ctx.identity = undefined
    const ip = peer.remoteAddress ?? 'unknown'
    const conn = new Connection(rawSocketOf(peer), identity, ip)
    const { limits } = useConfig()
    if (hub.countForIp(ip) >= limits.socketsPerIp) return conn.close(CLOSE_CODES.TOO_MANY_SOCKETS, 'too many sockets from this address')
    // The upgrade checked the user's count too, but upgrades that raced past it together are only counted here.
    if (hub.socketsOfUser(identity.userId).length >= limits.socketsPerUser) return conn.close(CLOSE_CODES.TOO_MANY_SOCKETS, 'too many sockets for this user')
    ctx.conn = conn
    hub.register(conn)
    connectionOf.set(conn.socket, conn)
    conn.socket.on('pong', onPong)
    ctx.ownFrames = takeOverFrames(conn.socket, onFrame)
    socketOpened(identity.userId, conn.memberRooms).catch(err => log.warn('presence open failed', errorFields(err)))
  },

  async message(peer, message) {
    const ctx = peer.context as PeerContext
    // Frames normally arrive through takeOverFrames (see open), not here; and frames still queued
    // behind a close (4029, 4001) are not worth a query.
    if (ctx.ownFrames || !ctx.conn || ctx.conn.closed) return
    await dispatch(ctx.conn, message.text())
  },

  close(peer) {
    const ctx = peer.context as PeerContext
    const conn = ctx.conn
    if (!conn) return
    ctx.conn = undefined
    conn.closed = true
    connectionGone(conn)
    const viewed = [...conn.viewing]
    hub.unregister(conn)
    for (const roomId of viewed) {
      if (!hub.userViews(conn.userId, roomId)) void announceLeft(conn, roomId)
    }
    socketClosed(conn.userId).catch(err => log.warn('presence close failed', errorFields(err)))
  },

  error(peer, error) {
    log.debug('socket error', { err_message: String(error?.message ?? error).slice(0, 200) })
  },
})
