/**
 * The only places we reach under crossws' public API. Both are written against the Node adapter of
 * crossws 0.3.5 (pinned in package.json; `node_modules/crossws/dist/adapters/node.mjs`), check
 * the shape they expect, and leave the peer alone when it differs. Re-read that file when crossws
 * moves; tests/unit/peer-internals.test.ts runs both against the real adapter.
 */
import type { Peer } from 'crossws'
import type { RawSocket } from './connection'

/** What a crossws 0.3 NodePeer keeps in `_internal`. */
interface NodePeerInternals {
  ws?: RawSocket
  request?: { url?: unknown }
  nodeReq?: { _context?: unknown, socket?: unknown }
}

const internalsOf = (peer: Peer) => (peer as unknown as { _internal?: NodePeerInternals })._internal

/**
 * Stands in for every peer's pub/sub topic set: crossws gives each peer its own empty Set (about
 * 150 bytes with its table), and we never subscribe. Adding to it throws rather than let one
 * peer's topic become everyone's.
 */
class NoTopics extends Set<string> {
  override add(): this {
    throw new Error('crossws topics are not used: fan-out goes through the hub')
  }
}
const NO_TOPICS = new NoTopics()

/**
 * The `ws` socket under a crossws peer. `peer.websocket` is a Proxy whose trap runs on every
 * property access inside `ws.send`, and `peer.send` allocates per call; on the fan-out path we
 * want neither. crossws 0.3 keeps the socket at `_internal.ws`; fall back to the proxy.
 */
export function rawSocketOf(peer: Peer): RawSocket {
  return internalsOf(peer)?.ws ?? (peer.websocket as unknown as RawSocket)
}

/**
 * Lets an open peer forget its upgrade request (issue #6: idle memory per socket).
 *
 * A crossws 0.3 NodePeer keeps, for the socket's whole life, Node's IncomingMessage
 * (`_internal.nodeReq`: headers, rawHeaders, stream state, the URL with its token) and a request
 * proxy (`_internal.request`), and the IncomingMessage holds the proxy `upgrade` saw with the
 * `Headers` copy it made: together about 2.8 KB of an idle socket's heap. After `open` they serve
 * three reads only, so each is replaced by a stand-in that keeps just what is read:
 * - `peer.context` is `_internal.nodeReq._context` (our Connection lives there);
 * - `peer.remoteAddress` is `_internal.nodeReq.socket.remoteAddress` (the socket `ws` holds anyway);
 * - Nitro routes every later hook (message, close, error) by the path of `peer.request.url`
 *   (nitropack's websocket `resolve`): deleting the request once broke routing, so the stand-in
 *   keeps the URL, without its query (the token need not stay in memory).
 * `peer.request.headers` is gone afterwards (crossws reads it only with `?.`, nothing here does).
 * The peer's empty topic set is swapped for a shared one that refuses subscriptions (NO_TOPICS).
 *
 * @returns false, changing nothing, when the peer is not shaped like a crossws 0.3 NodePeer.
 */
export function releaseUpgradeRequest(peer: Peer): boolean {
  const internal = internalsOf(peer)
  const nodeReq = internal?.nodeReq
  const request = internal?.request
  const url = request?.url
  if (!internal || !nodeReq || typeof url !== 'string') return false
  const context = nodeReq._context
  if (!context || peer.context !== context) return false
  internal.request = requestStandIn(url)
  internal.nodeReq = { _context: context, socket: nodeReq.socket }
  if (peer.context !== context || peer.request?.url !== internal.request.url) {
    // Not the getters we know: put everything back.
    internal.request = request
    internal.nodeReq = nodeReq
    return false
  }
  const withTopics = peer as unknown as { _topics?: unknown }
  if (withTopics._topics instanceof Set && withTopics._topics.size === 0) withTopics._topics = NO_TOPICS
  return true
}

/**
 * The last stand-in made, given again to the next socket with the same URL (without its query, it
 * is the same for every socket behind the same host name), so idle sockets share one object and
 * one string. Only the last one is kept: Host headers that vary cannot make it grow.
 */
let lastStandIn: { url: string } | undefined

function requestStandIn(url: string): { url: string } {
  const bare = withoutQuery(url)
  if (lastStandIn?.url !== bare) lastStandIn = { url: bare }
  return lastStandIn
}

/**
 * A fresh, flat string. `URL`'s parts are V8 slices of the whole href, and a template literal only
 * strings them together, so `origin + pathname` kept every socket's full URL alive, token included
 * (a heap snapshot showed it: ~480 bytes per idle socket). Copying through bytes lets it go.
 */
function withoutQuery(url: string): string {
  const parsed = new URL(url)
  return Buffer.from(`${parsed.origin}${parsed.pathname}`, 'utf8').toString('utf8')
}

/** One `message` listener per frame handler, shared by every socket (see takeOverFrames). */
const frameListeners = new WeakMap<FrameHandler, (this: RawSocket, data: Buffer | Buffer[]) => void>()

export type FrameHandler = (socket: RawSocket, text: string, bytes: number) => void

/**
 * Hands this socket's frames straight to `onFrame`. crossws would route each frame through Nitro's
 * router again (a URL parse, a route lookup and a few promises per frame) although a socket's route
 * never changes; its `message` listener on the `ws` socket is replaced by one that skips that. Call
 * it from the `open` hook: crossws attaches its listener before it runs that hook (a microtask
 * later), and no frame can be read in between. `ws` has already checked a text frame's UTF-8;
 * binary frames are read as text, as crossws does. The listener is one function for all sockets
 * (`ws` calls it with the socket as `this`): a closure per socket would stay on every idle one.
 * @returns false, changing nothing, when `socket` is not the `ws` socket itself (see rawSocketOf).
 */
export function takeOverFrames(socket: RawSocket, onFrame: FrameHandler): boolean {
  if (typeof socket.removeAllListeners !== 'function') return false
  let listener = frameListeners.get(onFrame)
  if (!listener) {
    listener = function (this: RawSocket, data: Buffer | Buffer[]) {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : data
      onFrame(this, buffer.toString('utf8'), buffer.length)
    }
    frameListeners.set(onFrame, listener)
  }
  socket.removeAllListeners('message')
  socket.on('message', listener)
  return true
}
